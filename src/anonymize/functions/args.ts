/** Conversions of function arguments, shared by the built-ins. Faults never quote element values. */
import type { TagPath } from '../ast';
import { ScriptSyntaxError } from '../errors';
import { parseTagPathText } from '../parser';
import { EngineFault, type Argument } from '../runtime-value';
import { readPath } from '../tag-path-access';
import type { CallContext } from './types';

/** The string an argument stands for: a tag path is read from the dataset; null when missing. */
export function argString(arg: Argument | undefined, ctx: CallContext, label: string): string | null {
  if (arg === undefined) throw new EngineFault('BAD_ARGUMENT', `${label} is missing`);
  switch (arg.kind) {
    case 'path':
      return readPath(ctx.ds, arg.path);
    case 'string':
      return arg.value;
    case 'null':
      return null;
    case 'boolean':
      return arg.value ? 'true' : 'false';
    case 'list':
      throw new EngineFault('BAD_ARGUMENT', `${label} must be a single value, not a list`);
    case 'void':
      throw new EngineFault('VOID_VALUE', `${label} is a function call that returns no value`);
    default:
      return assertNeverArg(arg);
  }
}

function assertNeverArg(a: never): never {
  throw new Error(`Unexpected argument ${JSON.stringify(a)}`);
}

/** A whole number argument, e.g. a substring index or a date increment. */
export function argInteger(arg: Argument | undefined, ctx: CallContext, label: string): number {
  const s = argString(arg, ctx, label);
  if (s === null || !/^[+-]?\d{1,15}$/.test(s.trim())) {
    throw new EngineFault('BAD_ARGUMENT', `${label} must be a whole number`);
  }
  return Number(s.trim());
}

/** The tag paths an argument names: a path, a string holding a path, or a list of those. */
export function argPaths(arg: Argument, label: string): TagPath[] {
  switch (arg.kind) {
    case 'path':
      return [arg.path];
    case 'list':
      return arg.items.flatMap((item) => argPaths(item, label));
    case 'string':
      try {
        return [parseTagPathText(arg.value)];
      } catch (e) {
        if (e instanceof ScriptSyntaxError) {
          throw new EngineFault('BAD_ARGUMENT', `${label} is not a valid tag path (problem at character ${e.column})`);
        }
        throw e;
      }
    case 'null':
    case 'boolean':
    case 'void':
      throw new EngineFault('BAD_ARGUMENT', `${label} must be a tag path`);
    default:
      return assertNeverArg(arg);
  }
}

/** Every tag path named by the arguments (paths, strings holding paths, lists of those), in order. */
export function allArgPaths(args: readonly Argument[]): TagPath[] {
  return args.flatMap((a, k) => argPaths(a, `argument ${k + 1}`));
}
