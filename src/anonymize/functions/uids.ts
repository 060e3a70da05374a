/** UID built-ins: hashUID and newUID. */
import { stringOrNull } from '../runtime-value';
import { argString } from './args';
import type { FunctionSpec } from './types';
import { hashUid, newUid } from './uid-hash';

/** UID functions. */
export const UID_FUNCTIONS: readonly FunctionSpec[] = [
  {
    name: 'hashUID',
    minArgs: 1,
    maxArgs: 1,
    since: '6.0',
    returns: 'string',
    argRules: ['any'],
    run: (args, ctx) => {
      const uid = argString(args[0], ctx, 'the UID');
      return stringOrNull(uid === null ? null : hashUid(uid));
    },
  },
  {
    name: 'newUID',
    minArgs: 0,
    maxArgs: 0,
    since: '6.0',
    returns: 'string',
    argRules: [],
    run: () => ({ kind: 'string', value: newUid() }),
  },
];
