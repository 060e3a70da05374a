/**
 * Turns a Table E.1-1 row, the selected options and the element's VR into the one thing to do with the element.
 *
 * Compound codes (E.1.1) depend on the attribute's Type in the IOD of the instance; this project does not carry
 * the PS3.3 module tables, so it resolves them by the "In Std. Comp. IOD" column: an attribute used in a standard
 * composite IOD keeps a replacement (D, which satisfies Type 1 and Type 2 alike; Z for X/Z), one that is not is
 * removed. Both choices protect the value; the first also keeps the instance conformant.
 */
import { assertNever } from '../../domain/assert-never';
import type { ProfileOptions } from './profile-options';
import type { OptionColumn, ProfileTableRow } from './table-types';

/** What to do with one element. */
export type ElementAction =
  /** X: remove the element. */
  | { readonly kind: 'remove' }
  /** Z: zero-length value; for a sequence, no items. */
  | { readonly kind: 'empty' }
  /** D: a dummy value of the element's VR (see dummy-values.ts); for a sequence, no items (no dummy item can be built). */
  | { readonly kind: 'dummy' }
  /** U: keyed remap of every UID in the value. */
  | { readonly kind: 'remap-uid' }
  /** K on a value: keep it unchanged. */
  | { readonly kind: 'keep' }
  /** K, C or U* on a sequence: keep the items and apply the profile inside each of them. */
  | { readonly kind: 'recurse' }
  /** C on a value: clean it in the way the option that asked for it defines. */
  | { readonly kind: 'clean'; readonly option: OptionColumn };

/** One resolved action code: a single letter, with the option that produced it when an option did. */
type Code = { readonly code: 'D' | 'Z' | 'X' | 'K' | 'C' | 'U'; readonly option?: OptionColumn };

/**
 * The action code that applies under the options. An option column overrides the Basic Profile (E.3). When two
 * selected options both name an action, C wins over K (e.g. Retain Device Identity K and Modified Dates C on a
 * calibration date): cleaning keeps the meaning and still protects, so it honours both requests.
 */
export function effectiveCode(row: ProfileTableRow, options: ProfileOptions): Code {
  // A run asks for the same few hundred rows under the same options in every file: each is resolved once.
  let cached = codesByOptions.get(options);
  // The size guards against a caller that changed its Set after a first use (ProfileOptions is read-only by type).
  if (cached === undefined || cached.size !== options.size) {
    cached = { size: options.size, byRow: new Map() };
    codesByOptions.set(options, cached);
  }
  const byRow = cached.byRow;
  let code = byRow.get(row);
  if (code === undefined) {
    code = computeEffectiveCode(row, options);
    byRow.set(row, code);
  }
  return code;
}

const codesByOptions = new WeakMap<ProfileOptions, { readonly size: number; readonly byRow: Map<ProfileTableRow, Code> }>();

function computeEffectiveCode(row: ProfileTableRow, options: ProfileOptions): Code {
  let chosen: Code | undefined;
  for (const option of options) {
    const code = row.options[option];
    if (code === undefined) continue;
    if (chosen === undefined || (chosen.code === 'K' && code === 'C')) chosen = { code, option };
  }
  if (chosen !== undefined) return chosen;
  const inIod = row.inStdCompIod;
  switch (row.basic) {
    case 'D':
    case 'Z':
    case 'X':
    case 'K':
    case 'C':
    case 'U':
      return { code: row.basic };
    case 'Z/D':
      return { code: 'D' };
    case 'X/Z':
      return { code: inIod ? 'Z' : 'X' };
    case 'X/D':
    case 'X/Z/D':
      return { code: inIod ? 'D' : 'X' };
    case 'X/Z/U*':
      return { code: inIod ? 'U' : 'X' };
    default:
      return assertNever(row.basic);
  }
}

/** The action for an element with VR `vr` ('SQ' for sequences, including UN-encoded ones) governed by `row`. */
export function resolveAction(row: ProfileTableRow, options: ProfileOptions, vr: string): ElementAction {
  const { code, option } = effectiveCode(row, options);
  const sequence = vr === 'SQ';
  switch (code) {
    case 'X':
      return { kind: 'remove' };
    case 'Z':
      return { kind: 'empty' };
    case 'D':
      // A dummy UID is a remapped one: it stays consistent across the set, as references need.
      if (vr === 'UI') return { kind: 'remap-uid' };
      return { kind: 'dummy' };
    case 'U':
      return sequence ? { kind: 'recurse' } : vr === 'UI' ? { kind: 'remap-uid' } : { kind: 'dummy' };
    case 'K':
      return sequence ? { kind: 'recurse' } : { kind: 'keep' };
    case 'C':
      if (sequence) return { kind: 'recurse' };
      // The table puts C only in option columns; a C in the Basic column (none in 2025b) is treated as D.
      return option === undefined ? { kind: 'dummy' } : { kind: 'clean', option };
    default:
      return assertNever(code);
  }
}
