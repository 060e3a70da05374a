/**
 * Checks of an anonymized instance that need no source (reference §4.3 steps 2, 4 and 5): nothing the profile
 * removes is present at any depth, no private element outside the safe list, the markers are right, File Meta
 * agrees with the dataset; and, across a set, every source UID maps to exactly one new UID and back.
 */
import { effectiveCode } from './action-resolution';
import { BASIC_PROFILE_CODE, longitudinalTemporalValue, optionCode, type ProfileOptions } from './profile-options';
import { formatTagPath, type ItemPath } from './profile-dataset';
import type { ReadableDataset } from './residual-values';
import { isSafePrivate } from './safe-private';
import { isPrivate, rowForTag } from './table-lookup';
import { OPTION_COLUMNS, type OptionColumn } from './table-types';

/** One problem found in an output file: a tag path and what is wrong, never a value. */
export interface Finding {
  readonly path: string;
  readonly problem: string;
}

const DEID_CODES = 0x00120064;
const MEDIA_STORAGE_SOP_INSTANCE_UID = 0x00020003;
const CODE_VALUE = 0x00080100;
const CODING_SCHEME = 0x00080102;

/** The DCM Code Values in (0012,0064) of an instance, in order. */
export function methodCodeValues(ds: ReadableDataset): string[] {
  const codes: string[] = [];
  for (let item = 0; item < ds.itemCount([], DEID_CODES); item += 1) {
    const path = [{ tag: DEID_CODES, item }];
    if (ds.getStringAt(path, CODING_SCHEME)?.trim() !== 'DCM') continue;
    const value = ds.getStringAt(path, CODE_VALUE)?.trim();
    if (value !== undefined) codes.push(value);
  }
  return codes;
}

/** The options an instance says were applied, from its CID 7050 codes; undefined when 113100 is absent. */
export function optionsFromCodes(codes: readonly string[]): Set<OptionColumn> | undefined {
  if (!codes.includes(BASIC_PROFILE_CODE.codeValue)) return undefined;
  return new Set(OPTION_COLUMNS.map((c) => c.option).filter((o) => codes.includes(optionCode(o).codeValue)));
}

/** Structural findings in one anonymized instance, judged against the options it records. */
export function checkOutput(ds: ReadableDataset, options: ProfileOptions): Finding[] {
  const findings: Finding[] = [];
  const walk = (path: ItemPath): void => {
    for (const tag of ds.tagsAt(path)) {
      if ((tag & 0xffff) === 0) continue;
      const count = ds.itemCount(path, tag);
      if (isPrivate(tag)) {
        const element = tag & 0xffff;
        const creatorTag = (((tag >>> 16) << 16) | (element >>> 8)) >>> 0;
        if (element > 0xff && !(options.has('retainSafePrivate') && isSafePrivate(tag, ds.getStringAt(path, creatorTag), { vr: ds.vrAt(path, tag), bytes: () => ds.getBytesAt(path, tag) }))) {
          findings.push({ path: formatTagPath(path, tag), problem: 'private element outside the safe list is present' });
        }
        continue;
      }
      const row = rowForTag(tag);
      if (row !== undefined && effectiveCode(row, options).code === 'X') {
        findings.push({ path: formatTagPath(path, tag), problem: `present although the profile removes it (${row.name})` });
        continue;
      }
      for (let item = 0; item < count; item += 1) walk([...path, { tag, item }]);
    }
  };
  walk([]);
  const root = (tag: number): string | undefined => ds.getStringAt([], tag)?.trim();
  if (root(0x00120062) !== 'YES') findings.push({ path: '(0012,0062)', problem: 'Patient Identity Removed is not YES' });
  if ((root(0x00120063) ?? '') === '' && methodCodeValues(ds).length === 0) findings.push({ path: '(0012,0063)', problem: 'no De-identification Method and no method codes' });
  if (root(0x00280303) !== longitudinalTemporalValue(options)) {
    findings.push({ path: '(0028,0303)', problem: `Longitudinal Temporal Information Modified is not ${longitudinalTemporalValue(options)}` });
  }
  const metaUid = root(0x00020003);
  const sopUid = root(0x00080018);
  // Under Retain UIDs both are the source's; a disagreement there is the source's, not the de-identifier's.
  if (metaUid !== undefined && sopUid !== undefined && metaUid !== sopUid && !options.has('retainUids')) findings.push({ path: '(0002,0003)', problem: 'differs from SOP Instance UID (0008,0018)' });
  return findings;
}

/** Pairs of (source UID, output UID) at the same tag path, gathered across a set and checked for one-to-one. */
export class UidConsistency {
  private readonly forward = new Map<string, string>();
  private readonly backward = new Map<string, string>();
  private readonly findings: Finding[] = [];

  /** Records the UIDs of one source/output pair of instances (UI elements of the table at the same paths). */
  add(source: ReadableDataset, output: ReadableDataset, options: ProfileOptions, file: string, dictionaryVr: (tag: number) => string | undefined): void {
    const walk = (path: ItemPath): void => {
      for (const tag of source.tagsAt(path)) {
        const count = source.itemCount(path, tag);
        if (count > 0) {
          for (let item = 0; item < count; item += 1) walk([...path, { tag, item }]);
          continue;
        }
        const row = rowForTag(tag);
        // (0002,0003) follows (0008,0018) in the output (checked in checkOutput), even where the source disagreed.
        if (tag === MEDIA_STORAGE_SOP_INSTANCE_UID) continue;
        if (row === undefined || isPrivate(tag) || (dictionaryVr(tag) ?? source.vrAt(path, tag)) !== 'UI') continue;
        const code = effectiveCode(row, options).code;
        if (code !== 'U' && code !== 'D') continue;
        const before = source.getStringAt(path, tag)?.trim();
        const after = output.getStringAt(path, tag)?.trim();
        if (before === undefined || after === undefined || before === '') continue;
        this.pair(`${file} ${formatTagPath(path, tag)}`, before, after);
      }
    };
    walk([]);
  }

  private pair(where: string, before: string, after: string): void {
    const olds = before.split('\\');
    const news = after.split('\\');
    if (olds.length !== news.length) {
      this.findings.push({ path: where, problem: 'number of UIDs changed' });
      return;
    }
    olds.forEach((old, i) => {
      const now = news[i]!;
      if (old === now) this.findings.push({ path: where, problem: 'UID was not replaced' });
      const known = this.forward.get(old);
      if (known !== undefined && known !== now) this.findings.push({ path: where, problem: 'one source UID maps to two different new UIDs in the set' });
      const back = this.backward.get(now);
      if (back !== undefined && back !== old) this.findings.push({ path: where, problem: 'two source UIDs map to the same new UID' });
      this.forward.set(old, now);
      this.backward.set(now, old);
    });
  }

  /** The problems found so far. */
  get problems(): readonly Finding[] {
    return this.findings;
  }
}
