/**
 * Private attributes the Retain Safe Private Option (E.3.10) keeps: a private creator and element byte that the
 * standard's Table E.3.10-1 lists as holding no identifying information. Every other private attribute is removed.
 *
 * This is a deliberately short subset (Siemens MR diffusion parameters), written down from the standard's table and
 * not re-checked against the 2025b text here; extend it only from Table E.3.10-1 itself, never by guessing.
 */

/** One safe private element: its group, its creator (private creator value) and the element's low byte. */
export interface SafePrivateEntry {
  readonly group: number;
  readonly creator: string;
  readonly elementByte: number;
}

/** The safe private elements this project keeps under Retain Safe Private. */
export const SAFE_PRIVATE: readonly SafePrivateEntry[] = [
  { group: 0x0019, creator: 'SIEMENS MR HEADER', elementByte: 0x0c }, // B_value
  { group: 0x0019, creator: 'SIEMENS MR HEADER', elementByte: 0x0d }, // DiffusionDirectionality
  { group: 0x0019, creator: 'SIEMENS MR HEADER', elementByte: 0x0e }, // DiffusionGradientDirection
  { group: 0x0019, creator: 'SIEMENS MR HEADER', elementByte: 0x27 }, // B_matrix
];

const KEYS = new Set(SAFE_PRIVATE.map((e) => `${e.group}|${e.creator}|${e.elementByte}`));

/** True when the private data element `tag` of the block owned by `creator` is on the safe list. */
export function isSafePrivate(tag: number, creator: string | undefined): boolean {
  if (creator === undefined) return false;
  return KEYS.has(`${tag >>> 16}|${creator.trim()}|${tag & 0xff}`);
}
