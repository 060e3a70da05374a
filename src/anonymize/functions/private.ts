/** retainPrivateTags (6.3): remove every private element except the listed ones (private-tags.ts). */
import { VOID_VALUE } from '../runtime-value';
import { retainPrivateTags } from '../private-tags';
import { allArgPaths } from './args';
import type { FunctionSpec } from './types';

/** The retainPrivateTags function. */
export const PRIVATE_FUNCTIONS: readonly FunctionSpec[] = [
  {
    name: 'retainPrivateTags',
    minArgs: 1,
    maxArgs: Infinity,
    since: '6.3',
    returns: 'void',
    argRules: ['privateTagPathLike'],
    run: (args, ctx) => {
      retainPrivateTags(ctx.ds, allArgPaths(args));
      return VOID_VALUE;
    },
  },
];
