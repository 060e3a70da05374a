/** Control built-ins: reject, true, false. */
import { VOID_VALUE } from '../runtime-value';
import type { FunctionSpec } from './types';

/** Control functions. */
export const CONTROL_FUNCTIONS: readonly FunctionSpec[] = [
  {
    name: 'reject',
    minArgs: 0,
    maxArgs: 0,
    since: '6.6',
    returns: 'void',
    argRules: [],
    run: (_args, ctx) => {
      ctx.reject();
      return VOID_VALUE;
    },
  },
  { name: 'true', minArgs: 0, maxArgs: 0, since: '6.7', returns: 'boolean', argRules: [], run: () => ({ kind: 'boolean', value: true }) },
  { name: 'false', minArgs: 0, maxArgs: 0, since: '6.7', returns: 'boolean', argRules: [], run: () => ({ kind: 'boolean', value: false }) },
];
