/**
 * Built-ins that the checker knows but the interpreter deliberately does not run: calling one fails with
 * NOT_IMPLEMENTED rather than silently leaving data in place (docs/dicomedit.md says why for each).
 */
import type { FunctionSpec } from './types';

/** Functions parsed and checked but not executed. */
export const PENDING_FUNCTIONS: readonly FunctionSpec[] = [
  // Network I/O while anonymizing would make the output depend on a server's answer and could leak data.
  { name: 'getURL', minArgs: 1, maxArgs: 1, since: '6.0', returns: 'string', argRules: ['any'] },
];
