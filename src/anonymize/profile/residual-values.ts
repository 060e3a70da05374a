/**
 * The residual-value scan of the verification method (reference §4.3 step 3): every non-empty source value of an
 * attribute the profile does not keep, at any depth (File Meta, private and UN elements included), becomes a search
 * needle; the anonymized file's bytes outside Pixel Data must contain none of them. Needles are kept with the tag
 * path they came from, so a finding names where the value was, never the value itself.
 */
import { effectiveCode } from './action-resolution';
import { DICOM_INTAKE_IMPLEMENTATION_VERSION } from './apply-profile';
import { DEIDENTIFICATION_METHOD_TEXT } from './deidentification-markers';
import { ALL_DUMMY_VALUES } from './dummy-values';
import { BASIC_PROFILE_CODE, optionCode } from './profile-options';
import { OPTION_COLUMNS } from './table-types';
import type { ProfileOptions } from './profile-options';
import { formatTagPath, type ItemPath, type ProfileDataset } from './profile-dataset';
import { isSafePrivate } from './safe-private';
import { isPrivate, rowForTag } from './table-lookup';

/** A source value to look for in the output, and where it came from. */
export interface Needle {
  readonly from: string;
  readonly bytes: Buffer;
}

/** The read-only part of the dataset interface the scan uses. */
export type ReadableDataset = Pick<ProfileDataset, 'tagsAt' | 'getStringAt' | 'vrAt' | 'itemCount' | 'getBytesAt'>;

// Values shorter than this recur in harmless places ("MR", "1.0"); §4.3 scans values of 4+ characters.
const MIN_NEEDLE = 4;
const MIN_NUMERIC_NEEDLE = 6;
const NUMERIC_VRS = new Set(['DS', 'IS', 'US', 'SS', 'UL', 'SL', 'FL', 'FD', 'SV', 'UV', 'AT']);
// A UID embeds a timestamp when a run of 14 digits starts like a date of the 20th or 21st century.
const UID_TIMESTAMP = /(?:19|20)\d{12}/g;

/** The needles of one source instance, for a profile run with `options`. */
export function collectNeedles(ds: ReadableDataset, options: ProfileOptions, dictionaryVr: (tag: number) => string | undefined): Needle[] {
  const needles = new Map<string, Needle>();
  // Text of the attributes the profile keeps: a needle found there ("TOSHIBA" in Manufacturer "TOSHIBA_MEC") is
  // legitimately in the output, so it is not a finding (the reference's advice to scope matches by attribute).
  const kept: string[] = [];
  const add = (from: string, text: string): void => {
    const trimmed = text.replace(/[\0 ]+$/, '').trim();
    if (trimmed.length < MIN_NEEDLE || needles.has(trimmed)) return;
    // Short numbers ("1000", "0.5") recur in harmless places; times (6 digits) and dates (8) are long enough.
    // Measurements ("480.000000", "1000") recur in harmless attributes; numbers count only as runs of 6+ digits
    // (dates, times, numeric IDs, UID timestamps).
    if (/^[0-9.+\-: \\]+$/.test(trimmed) && !new RegExp(`^\\d{${MIN_NUMERIC_NEEDLE},}$`).test(trimmed)) return;
    needles.set(trimmed, { from, bytes: Buffer.from(trimmed, 'latin1') });
  };
  const walk = (path: ItemPath): void => {
    for (const tag of ds.tagsAt(path)) {
      if ((tag & 0xffff) === 0) continue;
      const fileVr = ds.vrAt(path, tag) ?? 'UN';
      const vr = fileVr === 'UN' && !isPrivate(tag) ? (dictionaryVr(tag) ?? 'UN') : fileVr;
      const count = ds.itemCount(path, tag);
      if (vr === 'SQ' || count > 0) {
        for (let item = 0; item < count; item += 1) walk([...path, { tag, item }]);
        continue;
      }
      const where = formatTagPath(path, tag);
      if (isPrivate(tag)) {
        const element = tag & 0xffff;
        if (element <= 0xff) continue; // creators name the vendor, not the patient
        const creatorTag = (((tag >>> 16) << 16) | (element >>> 8)) >>> 0;
        if (options.has('retainSafePrivate') && isSafePrivate(tag, ds.getStringAt(path, creatorTag))) continue;
        addPrivate(where, path, tag, vr, add, ds);
        continue;
      }
      const row = rowForTag(tag);
      if (NUMERIC_VRS.has(vr)) continue;
      const { code, option } = row === undefined ? { code: 'K', option: undefined } : effectiveCode(row, options);
      if (code === 'K') {
        const value = safeString(ds, path, tag);
        if (value !== undefined && vr !== 'UN' && vr !== 'OB' && vr !== 'OW') kept.push(value.toUpperCase());
        continue;
      }
      // Cleaned text keeps its harmless words by design; only shifted dates must all change.
      if (code === 'C' && option !== 'retainLongitudinalModifiedDates') continue;
      // A value in a character set we cannot decode (ISO 2022) is searched for as its raw bytes.
      const value = safeString(ds, path, tag) ?? rawString(ds, path, tag);
      if (value === undefined || value === '') continue;
      for (const one of value.split('\\')) {
        add(where, one);
        if (vr === 'PN') for (const part of one.split(/[\^=]/)) add(where, part);
        if (vr === 'DA' && /^\d{8}$/.test(one.trim())) {
          const d = one.trim();
          add(where, `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}`);
          add(where, `${d.slice(0, 4)}.${d.slice(4, 6)}.${d.slice(6)}`);
        }
        if (vr === 'UI') for (const m of one.matchAll(UID_TIMESTAMP)) add(where, m[0]);
        if (vr === 'TM' || vr === 'DT') add(where, one.trim().split('.')[0]!);
      }
    }
  };
  walk([]);
  // Text the profile itself writes (dummies, markers): a source value such as "ANON" or a StudyTime of "000000"
  // is found there by chance, not because it survived.
  kept.push(...ALL_DUMMY_VALUES, DEIDENTIFICATION_METHOD_TEXT, DICOM_INTAKE_IMPLEMENTATION_VERSION, BASIC_PROFILE_CODE.codeMeaning);
  kept.push(...OPTION_COLUMNS.map((c) => optionCode(c.option).codeMeaning));
  const keptText = kept.join('\u0000').toUpperCase();
  return [...needles.entries()].filter(([text]) => !keptText.includes(text.toUpperCase())).map(([, needle]) => needle);
}

/** Private values: text as text; binary and UN values by their printable runs (names hide in UN blobs). */
function addPrivate(where: string, path: ItemPath, tag: number, vr: string, add: (from: string, text: string) => void, ds: ReadableDataset): void {
  if (!NUMERIC_VRS.has(vr) && vr !== 'UN' && vr !== 'OB' && vr !== 'OW') {
    const value = safeString(ds, path, tag);
    if (value !== undefined) for (const one of value.split('\\')) add(where, one);
    return;
  }
  const bytes = ds.getBytesAt(path, tag);
  if (bytes === undefined) return;
  for (const m of Buffer.from(bytes).toString('latin1').matchAll(/[\x20-\x7e]{6,}/g)) add(where, m[0]);
}

/** The value, or undefined when it cannot be decoded (the caller then has nothing to search for). */
function safeString(ds: ReadableDataset, path: ItemPath, tag: number): string | undefined {
  try {
    return ds.getStringAt(path, tag);
  } catch {
    return undefined;
  }
}

/** The raw value bytes as a latin1 string (byte for byte), or undefined. */
function rawString(ds: ReadableDataset, path: ItemPath, tag: number): string | undefined {
  const bytes = ds.getBytesAt(path, tag);
  return bytes === undefined ? undefined : Buffer.from(bytes).toString('latin1');
}

/** The needles found in `haystack` (the output file's bytes outside Pixel Data), as their source tag paths. */
export function findResiduals(needles: readonly Needle[], haystack: Buffer): string[] {
  const found: string[] = [];
  for (const needle of needles) if (haystack.includes(needle.bytes)) found.push(needle.from);
  return found;
}
