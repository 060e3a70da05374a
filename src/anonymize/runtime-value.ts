/**
 * Values as the interpreter sees them, and the internal fault that helpers throw before the interpreter
 * attaches a script position.
 */
import type { TagPath } from './ast';
import type { RuntimeErrorCode } from './errors';

/**
 * A value produced by evaluating an expression. `void` is what effect-only functions return. A `path` is a tag
 * path passed on unevaluated: as a function argument, or as an item of a list literal (lists of paths feed
 * removeTags, collectValues, ...).
 */
export type RuntimeValue =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'path'; readonly path: TagPath }
  | { readonly kind: 'null' }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'list'; readonly items: readonly RuntimeValue[] }
  | { readonly kind: 'void' };

/** A function argument: tag paths reach functions as paths, not values (DicomEdit's visitTagpathArgument). */
export type Argument = RuntimeValue;

/** The missing value. */
export const NULL_VALUE: RuntimeValue = { kind: 'null' };
/** The value of effect-only functions. */
export const VOID_VALUE: RuntimeValue = { kind: 'void' };

/** Wraps a possibly-missing string. */
export function stringOrNull(value: string | null | undefined): RuntimeValue {
  return value === null || value === undefined ? NULL_VALUE : { kind: 'string', value };
}

/**
 * A failure raised below the interpreter (functions, path access). The interpreter turns it into a
 * ScriptRuntimeError at the position of the call or statement. The detail must not contain element values.
 */
export class EngineFault extends Error {
  override readonly name = 'EngineFault';
  constructor(
    readonly code: RuntimeErrorCode,
    readonly detail: string,
  ) {
    super(detail);
  }
}
