/**
 * Private attributes the Retain Safe Private Option (E.3.10) keeps: those of Table E.3.10-1 (safe-private-table.ts),
 * matched on group, private creator and element byte, and only when the value is what the table describes (its VR).
 * Every other private attribute is removed.
 *
 * The VR condition: an explicit VR must be the table's VR; a value whose VR the file does not say (UN, implicit VR)
 * or says as a text VR is kept only when its bytes are valid for the table's VR (a multiple of the binary size, or
 * a number for IS/DS, a code string for CS). A vendor block that reuses a listed element for something else (a
 * free-text LO where the table says DS) is removed: the table vouches for the listed content, not for the slot.
 */
import { SAFE_PRIVATE_TABLE, type SafePrivateRow } from './safe-private-table';

/** What the match may look at besides the tag and creator; omitted = creator and element only. */
export interface PrivateValue {
  /** The VR the dataset reports (undefined or UN when unknown). */
  readonly vr: string | undefined;
  /** The value bytes (undefined for a sequence). */
  readonly bytes: () => Uint8Array | undefined;
}

const ROWS = new Map<string, SafePrivateRow>(SAFE_PRIVATE_TABLE.map((r) => [key(r.group, r.creator, r.elementByte), r]));

function key(group: number, creator: string, elementByte: number): string {
  return `${group}|${creator}|${elementByte}`;
}

/** The table row for the private data element `tag` of the block owned by `creator`; undefined when not listed. */
export function safePrivateRow(tag: number, creator: string | undefined): SafePrivateRow | undefined {
  if (creator === undefined) return undefined;
  return ROWS.get(key(tag >>> 16, creator.trim(), tag & 0xff));
}

const BINARY_SIZES: Readonly<Record<string, number>> = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8 };
const TEXT_VRS = new Set(['AE', 'CS', 'DS', 'IS', 'LO', 'LT', 'SH', 'ST', 'UC', 'UI', 'UT']);

/** True when bytes of unknown or textual VR are a valid value of the table's VR. */
function bytesFit(vr: string, bytes: Uint8Array | undefined): boolean {
  if (bytes === undefined) return vr === 'SQ';
  const size = BINARY_SIZES[vr];
  if (size !== undefined) return bytes.length % size === 0;
  const text = Buffer.from(bytes).toString('latin1').replace(/[\0 ]+$/, '');
  const values = text.split('\\').map((v) => v.trim());
  switch (vr) {
    case 'IS':
      return values.every((v) => /^[+-]?\d{1,12}$/.test(v));
    case 'DS':
      return values.every((v) => v.length <= 16 && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v));
    case 'CS':
      return values.every((v) => /^[A-Z0-9_ ]{0,16}$/.test(v));
    case 'UI':
      return values.every((v) => /^[0-9.]{0,64}$/.test(v));
    default:
      return false; // other text (LO, SH, LT) and OB bulk data need the file to say the VR
  }
}

/** True when the value is a value of `rowVr` (see the module comment). */
function fitsVr(rowVr: string, value: PrivateValue): boolean {
  const vr = value.vr ?? 'UN';
  if (vr === rowVr) return true;
  if (vr !== 'UN' && !TEXT_VRS.has(vr)) return false;
  return bytesFit(rowVr, value.bytes());
}

/** True when the private element's value is what the row describes; a row VR "OW/OB" admits either. */
function valueMatches(row: SafePrivateRow, value: PrivateValue): boolean {
  if (row.vr === '') return true;
  return row.vr.split('/').some((vr) => fitsVr(vr, value));
}

/** True when the private data element `tag` of the block owned by `creator` is safe to keep. */
export function isSafePrivate(tag: number, creator: string | undefined, value?: PrivateValue): boolean {
  const row = safePrivateRow(tag, creator);
  if (row === undefined) return false;
  return value === undefined || valueMatches(row, value);
}
