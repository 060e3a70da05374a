/**
 * Finds the Table E.1-1 row for a numeric tag: exact rows first, then the repeating-group masks
 * (50xx,xxxx) Curve Data, (60xx,3000) Overlay Data, (60xx,4000) Overlay Comments, then the private-attributes row.
 * Matching is by tag only, never by VR or keyword: elements that arrive as UN are found all the same.
 */
import { PS315_TABLE } from './ps3.15-2025b.generated';
import { PRIVATE_ROW_TAG, type ProfileTableRow } from './table-types';

function parseRowTag(text: string): number | undefined {
  const m = /^\(([0-9A-F]{4}),([0-9A-F]{4})\)$/.exec(text);
  return m === null ? undefined : parseInt(m[1]! + m[2]!, 16) >>> 0;
}

const EXACT = new Map<number, ProfileTableRow>();
const BY_TEXT = new Map<string, ProfileTableRow>();
for (const row of PS315_TABLE) {
  BY_TEXT.set(row.tag, row);
  const tag = parseRowTag(row.tag);
  if (tag !== undefined) EXACT.set(tag, row);
}

function required(text: string): ProfileTableRow {
  const row = BY_TEXT.get(text);
  if (row === undefined) throw new Error(`Table E.1-1 has no row ${text}; regenerate the table or update table-lookup.ts`);
  return row;
}

const CURVE_DATA = required('(50xx,xxxx)');
const OVERLAY_DATA = required('(60xx,3000)');
const OVERLAY_COMMENTS = required('(60xx,4000)');
const PRIVATE_ATTRIBUTES = required(PRIVATE_ROW_TAG);

/** True for tags in odd groups: private creators and private data elements (groups 0001-0007 included). */
export function isPrivate(tag: number): boolean {
  return ((tag >>> 16) & 1) === 1;
}

/** The row that governs `tag`, or undefined when the table does not list it (the element is kept). */
export function rowForTag(tag: number): ProfileTableRow | undefined {
  const exact = EXACT.get(tag);
  if (exact !== undefined) return exact;
  const group = tag >>> 16;
  const element = tag & 0xffff;
  // Repeating groups are the even groups 5000-501E and 6000-601E (PS3.5 §7.6).
  if ((group & 0xff01) === 0x5000) return CURVE_DATA;
  if ((group & 0xff01) === 0x6000 && element === 0x3000) return OVERLAY_DATA;
  if ((group & 0xff01) === 0x6000 && element === 0x4000) return OVERLAY_COMMENTS;
  if (isPrivate(tag)) return PRIVATE_ATTRIBUTES;
  return undefined;
}
