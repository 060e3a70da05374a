import { describe, expect, it } from 'vitest';
import { applyProfile } from '../../../src/anonymize/profile/apply-profile';
import { checkOutput, methodCodeValues, optionsFromCodes, UidConsistency } from '../../../src/anonymize/profile/output-checks';
import { parseProfileOptions } from '../../../src/anonymize/profile/profile-options';
import type { MethodCodeItem } from '../../../src/anonymize/profile/profile-dataset';
import { lookupTag } from '../../../src/dicom/dictionary';
import { MemoryDataset, type MemoryRecord } from '../../factories/memory-dataset';

const dictionaryVr = (tag: number) => lookupTag(tag)?.vr;
const STUDY = '1.2.826.0.1.3680043.2.1125.99.1';

function source(sop: string): MemoryRecord {
  return {
    '(0008,0018)': sop,
    '(0010,0010)': 'Doe^Jane',
    '(0020,000D)': STUDY,
    '(0008,1140)': [{ '(0008,1155)': `${STUDY}.7` }],
  };
}

/** Runs the profile and records the (0012,0064) items into the dataset, as the byte editor does. */
function anonymize(record: MemoryRecord, secret: string): MemoryDataset {
  const ds = new MemoryDataset(record);
  const items: MemoryRecord[] = [];
  const file = {
    appendDeidentificationMethodCode: (c: MethodCodeItem) => items.push({ '(0008,0100)': c.codeValue, '(0008,0102)': c.codingSchemeDesignator, '(0008,0104)': c.codeMeaning }),
    clearPreamble: () => undefined,
  };
  applyProfile(ds, file, { options: parseProfileOptions('basic,clean-descriptors'), secret, dictionaryVr });
  return new MemoryDataset({ ...ds.toTree(), '(0012,0064)': items });
}

describe('verification of a set', () => {
  it('When two instances of one study are anonymized with one secret, then every UID maps one-to-one across the set', () => {
    const uids = new UidConsistency();
    const options = parseProfileOptions('basic');
    for (const sop of [`${STUDY}.1`, `${STUDY}.2`]) uids.add(new MemoryDataset(source(sop)), anonymize(source(sop), 'one-secret'), options, sop, dictionaryVr);
    expect(uids.problems).toEqual([]);
  });

  it('When two instances were anonymized with different secrets, then the split study UID is reported', () => {
    const uids = new UidConsistency();
    const options = parseProfileOptions('basic');
    uids.add(new MemoryDataset(source(`${STUDY}.1`)), anonymize(source(`${STUDY}.1`), 'secret-a'), options, 'a.dcm', dictionaryVr);
    uids.add(new MemoryDataset(source(`${STUDY}.2`)), anonymize(source(`${STUDY}.2`), 'secret-b'), options, 'b.dcm', dictionaryVr);
    expect(uids.problems.map((p) => p.path)).toEqual(['b.dcm (0008,1140)[0]>(0008,1155)', 'b.dcm (0020,000D)']);
    expect(uids.problems[0]!.problem).toBe('one source UID maps to two different new UIDs in the set');
  });

  it('When an output records its options in (0012,0064), then verify reads them back and the output passes its checks', () => {
    const out = anonymize(source(`${STUDY}.1`), 'one-secret');
    const codes = methodCodeValues(out);
    expect(codes).toEqual(['113100', '113105']);
    const options = optionsFromCodes(codes)!;
    expect([...options]).toEqual(['cleanDescriptors']);
    expect(checkOutput(out, options)).toEqual([]);
  });

  it('When a removed attribute is put back inside a sequence item, then the check names its path', () => {
    const out = anonymize(source(`${STUDY}.1`), 'one-secret');
    out.setStringAt([{ tag: 0x00081140, item: 0 }], 0x00101000, 'OTHER-ID');
    expect(checkOutput(out, new Set(['cleanDescriptors']))).toEqual([{ path: '(0008,1140)[0]>(0010,1000)', problem: "present although the profile removes it (Other Patient IDs)" }]);
  });
});
