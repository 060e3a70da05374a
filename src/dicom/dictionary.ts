/**
 * The DICOM data dictionary, taken from dcmjs (its only use in this project's byte layer: dcmjs never reads or
 * writes our files). Keeps the dcmjs import behind this one module, as STYLE.md §7 asks.
 */
import { formatTag, isPrivateTag, makeTag, tagElement } from './tags';

interface DictionaryEntry {
  readonly tag: string;
  readonly vr: string;
  readonly name: string;
}
interface DcmjsDictionaryModule {
  readonly data: {
    readonly DicomMetaDictionary: {
      readonly dictionary: Readonly<Record<string, DictionaryEntry | undefined>>;
      readonly nameMap: Readonly<Record<string, DictionaryEntry | undefined>>;
    };
  };
}

// dcmjs ships no type declarations; we type the two tables we read and nothing else.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dcmjs = require('dcmjs') as DcmjsDictionaryModule;
const { dictionary, nameMap } = dcmjs.data.DicomMetaDictionary;

/** What the dictionary says about a tag: its VR as it must be written, and its keyword. */
export interface TagInfo {
  readonly vr: string;
  readonly keyword: string;
  /** True when the VR depends on context (US or SS by Pixel Representation, OB or OW). */
  readonly ambiguous: boolean;
}

// dcmjs writes context-dependent VRs in lower case; these are the choices PS3.5 makes in implicit VR.
const AMBIGUOUS_VRS: Readonly<Record<string, string>> = { xs: 'US', ox: 'OW', lt: 'OW', up: 'UL' };

/** Looks a tag up in the dictionary; undefined for unknown tags (private data elements included). */
export function lookupTag(tag: number): TagInfo | undefined {
  if (isPrivateTag(tag)) {
    // Private creators (gggg,0010-00FF) are LO by definition (PS3.5 §7.8.1); other private tags are unknown.
    const element = tagElement(tag);
    return element >= 0x10 && element <= 0xff ? { vr: 'LO', keyword: 'PrivateCreator', ambiguous: false } : undefined;
  }
  // Group lengths (gggg,0000) are UL in every group, though the dictionary lists only a few of them.
  if (tagElement(tag) === 0) return { vr: 'UL', keyword: 'GroupLength', ambiguous: false };
  const entry = dictionary[formatTag(tag)];
  if (entry === undefined || entry.vr === 'na') return undefined;
  const fixed = AMBIGUOUS_VRS[entry.vr];
  return { vr: fixed ?? entry.vr, keyword: entry.name, ambiguous: fixed !== undefined };
}

/** The tag of a dictionary keyword (e.g. "PatientName" → 0x00100010), or undefined. */
export function tagForKeyword(keyword: string): number | undefined {
  const entry = nameMap[keyword];
  if (entry === undefined || !/^\([0-9A-F]{4},[0-9A-F]{4}\)$/i.test(entry.tag)) return undefined;
  return makeTag(parseInt(entry.tag.slice(1, 5), 16), parseInt(entry.tag.slice(6, 10), 16));
}
