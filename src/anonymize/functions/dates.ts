/** Date built-ins: shiftDateByIncrement (days) and shiftDateTimeByIncrement (seconds). */
import { NULL_VALUE, type Argument, type RuntimeValue } from '../runtime-value';
import { matchingTags, requireTopLevel } from '../top-level-access';
import { argInteger, argString } from './args';
import { shiftDate, shiftDateTime } from './date-shift';
import type { CallContext, FunctionSpec } from './types';

function shifted(
  args: readonly Argument[],
  ctx: CallContext,
  shift: (value: string, amount: number) => string,
  unit: string,
): RuntimeValue {
  const amount = argInteger(args[1], ctx, `the increment (${unit})`);
  const first = args[0];
  // Called as a statement with a tag path, the shift edits the element in place (RT shiftDateTime*.das).
  if (ctx.asStatement && first?.kind === 'path') {
    for (const tag of matchingTags(ctx.ds, requireTopLevel(first.path))) {
      const value = ctx.ds.getString(tag);
      if (value !== undefined && value !== '') ctx.ds.setString(tag, shift(value, amount));
    }
    return { kind: 'void' };
  }
  const value = argString(first, ctx, 'the date');
  if (value === null) return NULL_VALUE;
  return { kind: 'string', value: value === '' ? '' : shift(value, amount) };
}

/** Date shifting functions. */
export const DATE_FUNCTIONS: readonly FunctionSpec[] = [
  {
    name: 'shiftDateByIncrement',
    minArgs: 2,
    maxArgs: 2,
    since: '6.2',
    returns: 'string',
    argRules: ['any', 'integer'],
    run: (args, ctx) => shifted(args, ctx, shiftDate, 'days'),
  },
  {
    name: 'shiftDateTimeByIncrement',
    minArgs: 2,
    maxArgs: 2,
    since: '6.3',
    returns: 'string',
    argRules: ['any', 'integer'],
    run: (args, ctx) => shifted(args, ctx, shiftDateTime, 'seconds'),
  },
];
