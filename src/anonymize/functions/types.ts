/** The shape of a built-in function: its signature for the checker and, once implemented, its behaviour. */
import type { EditableDataset } from '../dataset';
import type { Argument, RuntimeValue } from '../runtime-value';
import type { SupportedVersion } from '../versions';
import type { LookupTables } from './lookup-table';

/** What a function gives back; `void` functions can only be called as statements. */
export const RETURN_KINDS = ['string', 'boolean', 'list', 'void'] as const;
/** What a function gives back. */
export type ReturnKind = (typeof RETURN_KINDS)[number];

/** What the checker can verify about an argument from the script text alone. */
export const ARG_RULES = ['any', 'integer', 'tagPathLike', 'privateTagPathLike'] as const;
/** A static rule for one argument. */
export type ArgRule = (typeof ARG_RULES)[number];

/** What a running function may touch. */
export interface CallContext {
  readonly name: string;
  readonly ds: EditableDataset;
  /** True when the call is a statement, e.g. `shiftDateTimeByIncrement[(0008,002A), 10]` edits in place. */
  readonly asStatement: boolean;
  /** Site tables for lookup[table, key]; undefined when the caller supplied none. */
  readonly lookupTables?: LookupTables;
  /** Marks the instance as rejected (`reject[]`). */
  reject(): void;
}

/** The behaviour of a function. Faults are thrown as EngineFault; the interpreter adds the position. */
export type FunctionImpl = (args: readonly Argument[], ctx: CallContext) => RuntimeValue;

/** One built-in function of §1.6. */
export interface FunctionSpec {
  readonly name: string;
  readonly minArgs: number;
  readonly maxArgs: number;
  /** The first DicomEdit version that has it (a lower bound, see §1.1). */
  readonly since: SupportedVersion;
  readonly returns: ReturnKind;
  /** Rules per position; the last rule repeats for variadic functions. Empty means no static rule. */
  readonly argRules: readonly ArgRule[];
  /** Absent while the function is parsed and checked but not executed yet. */
  readonly run?: FunctionImpl;
}
