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

/** A TagInfo from dcmjs's VR spelling; undefined for 'na' (items and delimiters have no VR). */
function tagInfo(vr: string, keyword: string): TagInfo | undefined {
  if (vr === 'na') return undefined;
  const fixed = AMBIGUOUS_VRS[vr];
  return { vr: fixed ?? vr, keyword, ambiguous: fixed !== undefined };
}

/** Calls `each` with the start and end offsets of every line of `text`. */
function forEachLine(text: string, each: (start: number, end: number) => void): void {
  for (let start = 0; start < text.length; ) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    each(start, end);
    start = end + 1;
  }
}

// Built on first use. Every CLI run needs the tag index, so it is kept cheap: tag → line offset (about 2 ms),
// the line decoded only when its tag is asked for (a run asks for a few hundred tags); splitting every line
// into objects up front took 11-16 ms of each start.
let lineByTag: Map<number, number> | undefined;
const infoByTag = new Map<number, TagInfo | undefined>();
let ranges: readonly RangeEntry[] | undefined;
let tagByKeyword: Map<string, number> | undefined;

function exactInfo(tag: number): TagInfo | undefined {
  if (infoByTag.has(tag)) return infoByTag.get(tag);
  if (lineByTag === undefined) {
    const index = new Map<number, number>();
    forEachLine(EXACT_ENTRIES, (start) => index.set(parseInt(EXACT_ENTRIES.slice(start, start + 8), 16), start));
    lineByTag = index;
  }
  const start = lineByTag.get(tag);
  // Only listed tags are cached, so that the cache stays bounded whatever tags the files hold.
  if (start === undefined) return rangeInfo(tag);
  const newline = EXACT_ENTRIES.indexOf('\n', start);
  const [, vr, keyword] = EXACT_ENTRIES.slice(start, newline < 0 ? undefined : newline).split(' ') as [string, string, string];
  const info = tagInfo(vr, keyword);
  infoByTag.set(tag, info);
  return info;
}

/** The entry of a repeating group (curves, overlays, ...) for a tag dcmjs does not list exactly. */
function rangeInfo(tag: number): TagInfo | undefined {
  ranges ??= RANGE_ENTRIES.split('\n').map((line) => {
    const [element, vr, keyword, first, last] = line.split(' ') as [string, string, string, string, string];
    return { element: parseInt(element, 16), firstGroup: parseInt(first, 16), lastGroup: parseInt(last, 16), info: tagInfo(vr, keyword) };
  });
  const group = tagGroup(tag);
  const element = tagElement(tag);
  for (const r of ranges) if (r.element === element && group >= r.firstGroup && group <= r.lastGroup) return r.info;
  return undefined;
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
  return exactInfo(tag);
}

/** The tag of a dictionary keyword (e.g. "PatientName" → 0x00100010), or undefined. */
export function tagForKeyword(keyword: string): number | undefined {
  if (tagByKeyword === undefined) {
    // The last exact entry of a keyword wins, as in dcmjs's keyword map; the overrides list where it does not.
    const index = new Map<string, number>();
    forEachLine(EXACT_ENTRIES, (start, end) => index.set(EXACT_ENTRIES.slice(EXACT_ENTRIES.indexOf(' ', start + 9) + 1, end), parseInt(EXACT_ENTRIES.slice(start, start + 8), 16)));
    forEachLine(KEYWORD_OVERRIDES, (start, end) => index.set(KEYWORD_OVERRIDES.slice(start + 9, end), parseInt(KEYWORD_OVERRIDES.slice(start, start + 8), 16)));
    tagByKeyword = index;
  }
  return tagByKeyword.get(keyword);
}
