/**
 * The DICOM data dictionary, from dcmjs's (generated into dictionary.generated.ts by scripts/generate-dictionary.ts,
 * so that starting the CLI does not load dcmjs). Lookups go through Maps built once, on first use.
 */
import { EXACT_ENTRIES, KEYWORD_OVERRIDES, RANGE_ENTRIES } from './dictionary.generated';
import { isPrivateTag, tagElement, tagGroup } from './tags';

/** What the dictionary says about a tag: its VR as it must be written, and its keyword. */
export interface TagInfo {
  readonly vr: string;
  readonly keyword: string;
  /** True when the VR depends on context (US or SS by Pixel Representation, OB or OW). */
  readonly ambiguous: boolean;
}

// dcmjs writes context-dependent VRs in lower case; these are the choices PS3.5 makes in implicit VR.
const AMBIGUOUS_VRS: Readonly<Record<string, string>> = { xs: 'US', ox: 'OW', lt: 'OW', up: 'UL' };

const PRIVATE_CREATOR: TagInfo = { vr: 'LO', keyword: 'PrivateCreator', ambiguous: false };
const GROUP_LENGTH: TagInfo = { vr: 'UL', keyword: 'GroupLength', ambiguous: false };

interface RangeEntry {
  readonly element: number;
  readonly firstGroup: number;
  readonly lastGroup: number;
  readonly info: TagInfo | undefined;
}
interface Tables {
  readonly byTag: Map<number, TagInfo | undefined>;
  readonly ranges: readonly RangeEntry[];
  readonly byKeyword: Map<string, number>;
}
let tables: Tables | undefined;

/** A TagInfo from dcmjs's VR spelling; undefined for 'na' (items and delimiters have no VR). */
function tagInfo(vr: string, keyword: string): TagInfo | undefined {
  if (vr === 'na') return undefined;
  const fixed = AMBIGUOUS_VRS[vr];
  return { vr: fixed ?? vr, keyword, ambiguous: fixed !== undefined };
}

function load(): Tables {
  if (tables !== undefined) return tables;
  const byTag = new Map<number, TagInfo | undefined>();
  const byKeyword = new Map<string, number>();
  for (const line of EXACT_ENTRIES.split('\n')) {
    const [hex, vr, keyword] = line.split(' ') as [string, string, string];
    const tag = parseInt(hex, 16);
    byTag.set(tag, tagInfo(vr, keyword));
    byKeyword.set(keyword, tag);
  }
  for (const line of KEYWORD_OVERRIDES.split('\n')) {
    const [hex, keyword] = line.split(' ') as [string, string];
    byKeyword.set(keyword, parseInt(hex, 16));
  }
  const ranges = RANGE_ENTRIES.split('\n').map((line) => {
    const [element, vr, keyword, first, last] = line.split(' ') as [string, string, string, string, string];
    return { element: parseInt(element, 16), firstGroup: parseInt(first, 16), lastGroup: parseInt(last, 16), info: tagInfo(vr, keyword) };
  });
  tables = { byTag, ranges, byKeyword };
  return tables;
}

/** Looks a tag up in the dictionary; undefined for unknown tags (private data elements included). */
export function lookupTag(tag: number): TagInfo | undefined {
  if (isPrivateTag(tag)) {
    // Private creators (gggg,0010-00FF) are LO by definition (PS3.5 §7.8.1); other private tags are unknown.
    const element = tagElement(tag);
    return element >= 0x10 && element <= 0xff ? PRIVATE_CREATOR : undefined;
  }
  // Group lengths (gggg,0000) are UL in every group, though the dictionary lists only a few of them.
  if (tagElement(tag) === 0) return GROUP_LENGTH;
  const { byTag, ranges } = load();
  const exact = byTag.get(tag);
  if (exact !== undefined || byTag.has(tag)) return exact;
  const group = tagGroup(tag);
  const element = tagElement(tag);
  for (const r of ranges) if (r.element === element && group >= r.firstGroup && group <= r.lastGroup) return r.info;
  return undefined;
}

/** The tag of a dictionary keyword (e.g. "PatientName" → 0x00100010), or undefined. */
export function tagForKeyword(keyword: string): number | undefined {
  return load().byKeyword.get(keyword);
}
