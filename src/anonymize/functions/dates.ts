/**
 * Date built-ins: shiftDateByIncrement (days), shiftDateTimeByIncrement (seconds), shiftDateTimeSequenceByIncrement
 * (seconds, in place at every depth) and scalePatientAgeAndDobFromStudyDate (HIPAA's over-89 rule).
 */
import type { TagPath } from '../ast';
import type { EditableDataset } from '../dataset';
import { NULL_VALUE, VOID_VALUE, type Argument, type RuntimeValue } from '../runtime-value';
import { findElements } from '../tag-path-access';
import { EngineFault } from '../runtime-value';
import { allArgPaths, argInteger, argPaths, argString } from './args';
import { shiftDate, shiftDateTime } from './date-shift';
import { scalePatientAge } from './patient-age';
import type { CallContext, FunctionSpec } from './types';

/** Shifts every non-empty match of a path in place. */
function shiftInPlace(ds: EditableDataset, path: TagPath, shift: (value: string, vr: string | undefined) => string): void {
  for (const ref of findElements(ds, path)) {
    const value = ds.getStringAt(ref.item, ref.tag);
    if (value !== undefined && value !== '') ds.setStringAt(ref.item, ref.tag, shift(value, ds.vrAt(ref.item, ref.tag)));
  }
}

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
    shiftInPlace(ctx.ds, first.path, (value) => shift(value, amount));
    return VOID_VALUE;
  }
  const value = argString(first, ctx, 'the date');
  if (value === null) return NULL_VALUE;
  return { kind: 'string', value: value === '' ? '' : shift(value, amount) };
}

/** A DA value shifted by seconds keeps its date precision; DT keeps its own (RT scalePatientAge…/plusShift.das). */
function shiftBySeconds(value: string, vr: string | undefined, seconds: number): string {
  const isDate = vr === 'DA' || (vr !== 'DT' && /^\d{8}$/.test(value.trim()));
  return isDate ? value.split('\\').map((v) => (v.trim() === '' ? v : shiftDateTime(v.trim(), seconds))).join('\\') : shiftDateTime(value, seconds);
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
  {
    name: 'shiftDateTimeSequenceByIncrement',
    minArgs: 2,
    maxArgs: 2,
    since: '6.3',
    returns: 'void',
    argRules: ['integer', 'tagPathLike'],
    run: (args, ctx) => {
      const seconds = argInteger(args[0], ctx, 'the increment (seconds)');
      for (const path of argPaths(args[1]!, 'the tag path')) shiftInPlace(ctx.ds, path, (value, vr) => shiftBySeconds(value, vr, seconds));
      return VOID_VALUE;
    },
  },
  {
    // shiftDateTimeListByIncrement[{paths}, "-300", "days"|"seconds"]: every match shifted in place, read as a DT
    // whatever its VR (MONO TestShiftDateTimeListByIncrementFunction), precision and fraction kept.
    name: 'shiftDateTimeListByIncrement',
    minArgs: 3,
    maxArgs: 3,
    since: '6.6',
    returns: 'void',
    argRules: ['tagPathLike', 'integer', 'any'],
    run: (args, ctx) => {
      const amount = argInteger(args[1], ctx, 'the increment');
      const unit = argString(args[2], ctx, 'the unit');
      if (unit !== 'days' && unit !== 'seconds') throw new EngineFault('BAD_ARGUMENT', 'the unit must be "days" or "seconds"');
      const seconds = unit === 'days' ? amount * 86_400 : amount;
      for (const path of allArgPaths([args[0]!])) shiftInPlace(ctx.ds, path, (value) => shiftDateTime(value, seconds));
      return VOID_VALUE;
    },
  },
  {
    name: 'scalePatientAgeAndDobFromStudyDate',
    minArgs: 0,
    maxArgs: 0,
    since: '6.6',
    returns: 'void',
    argRules: [],
    run: (_args, ctx) => {
      scalePatientAge(ctx.ds);
      return VOID_VALUE;
    },
  },
];
