import { describe, expect, it } from 'vitest';
import { dcmjsEntry, dcmjsNameMap } from '../../src/dicom/dcmjs-dictionary';
import { lookupTag, tagForKeyword, type TagInfo } from '../../src/dicom/dictionary';
import { formatTag, isPrivateTag, makeTag, tagElement } from '../../src/dicom/tags';
import { REPEATING_RANGES } from '../../scripts/generate-dictionary';

const AMBIGUOUS_VRS: Readonly<Record<string, string>> = { xs: 'US', ox: 'OW', lt: 'OW', up: 'UL' };

/** What lookupTag answered when it read dcmjs's dictionary directly (its implementation before the generated table). */
function lookupViaDcmjs(tag: number): TagInfo | undefined {
  if (isPrivateTag(tag)) {
    const element = tagElement(tag);
    return element >= 0x10 && element <= 0xff ? { vr: 'LO', keyword: 'PrivateCreator', ambiguous: false } : undefined;
  }
  if (tagElement(tag) === 0) return { vr: 'UL', keyword: 'GroupLength', ambiguous: false };
  const entry = dcmjsEntry(formatTag(tag));
  if (entry === undefined || entry.vr === 'na') return undefined;
  const fixed = AMBIGUOUS_VRS[entry.vr];
  return { vr: fixed ?? entry.vr, keyword: entry.name, ambiguous: fixed !== undefined };
}

function tagOf(key: string): number {
  return makeTag(parseInt(key.slice(1, 5), 16), parseInt(key.slice(6, 10), 16));
}

describe('the generated data dictionary', () => {
  it('When a keyword of dcmjs is looked up, then it gives dcmjs\'s tag, and that tag dcmjs\'s entry', () => {
    const names = Object.entries(dcmjsNameMap());
    expect(names.length).toBeGreaterThan(5000);
    for (const [name, entry] of names) {
      expect(tagForKeyword(name), name).toBe(tagOf(entry!.tag));
      expect(lookupTag(tagOf(entry!.tag)), entry!.tag).toEqual(lookupViaDcmjs(tagOf(entry!.tag)));
    }
    expect(tagForKeyword('NotAKeyword')).toBeUndefined();
    expect(tagForKeyword('constructor')).toBeUndefined();
  });

  it('When a tag of a repeating group is looked up, then it matches dcmjs in every group of the range', () => {
    for (const [first, last] of REPEATING_RANGES) {
      for (let group = first; group <= last; group++) {
        for (const element of [0x0000, 0x0005, 0x0010, 0x0022, 0x0040, 0x0100, 0x1001, 0x3000, 0x0011, 0x0012, 0x0020, 0x0030]) {
          const tag = makeTag(group, element);
          expect(lookupTag(tag), formatTag(tag)).toEqual(lookupViaDcmjs(tag));
        }
      }
    }
  });

  it('When any tag is looked up, then it matches dcmjs (a deterministic sample of the whole tag space)', () => {
    let seed = 12345;
    for (let i = 0; i < 50_000; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      // Half the sample in groups the dictionary uses, so that hits are frequent; half anywhere.
      const group = i % 2 === 0 ? [0x0008, 0x0010, 0x0018, 0x0020, 0x0028, 0x0040, 0x3006, 0x300a, 0xfffe][seed % 9]! : seed >>> 16;
      const tag = makeTag(group, i % 2 === 0 ? seed & 0x1fff : seed & 0xffff);
      expect(lookupTag(tag), formatTag(tag)).toEqual(lookupViaDcmjs(tag));
    }
  });
});
