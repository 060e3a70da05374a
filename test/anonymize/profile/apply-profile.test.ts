import { describe, expect, it } from 'vitest';
import { applyProfile, DICOM_INTAKE_IMPLEMENTATION_CLASS_UID } from '../../../src/anonymize/profile/apply-profile';
import { shiftDate, shiftDaysFor } from '../../../src/anonymize/profile/date-shift';
import { parseProfileOptions } from '../../../src/anonymize/profile/profile-options';
import type { MethodCodeItem, ProfileFileTarget } from '../../../src/anonymize/profile/profile-dataset';
import { checkOutput } from '../../../src/anonymize/profile/output-checks';
import { collectNeedles, findResiduals } from '../../../src/anonymize/profile/residual-values';
import { remapUid } from '../../../src/anonymize/uid-remap';
import { lookupTag } from '../../../src/dicom/dictionary';
import { MemoryDataset, type MemoryRecord } from '../../factories/memory-dataset';

const SECRET = 'test-secret';
const dictionaryVr = (tag: number) => lookupTag(tag)?.vr;

/** Records what the profile does at file level. */
class FileRecorder implements ProfileFileTarget {
  readonly codes: MethodCodeItem[] = [];
  preambleCleared = false;
  appendDeidentificationMethodCode(item: MethodCodeItem): void {
    this.codes.push(item);
  }
  clearPreamble(): void {
    this.preambleCleared = true;
  }
}

/** A synthetic instance (made-up values) with identifying data at the top, in sequences and in private blocks. */
function instance(extra: MemoryRecord = {}): MemoryRecord {
  return {
    '(0002,0003)': '1.2.826.0.1.3680043.2.1125.20040119072730.1',
    '(0002,0010)': '1.2.840.10008.1.2.1',
    '(0002,0016)': 'SOURCE_AE',
    '(0008,0016)': '1.2.840.10008.5.1.4.1.1.2',
    '(0008,0018)': '1.2.826.0.1.3680043.2.1125.20040119072730.1',
    '(0008,0020)': '20040119',
    '(0008,0021)': '20040119',
    '(0008,0080)': 'General Hospital Northside',
    '(0008,1030)': 'Head for Doe Jane',
    '(0008,1140)': [{ '(0008,1150)': '1.2.840.10008.5.1.4.1.1.2', '(0008,1155)': '1.2.826.0.1.3680043.2.1125.20040119072730.2' }],
    '(0010,0010)': 'Doe^Jane',
    '(0010,0020)': 'PID-0001',
    '(0010,0030)': '19700101',
    '(0010,1000)': 'OTHER-ID-7',
    '(0010,1002)': [{ '(0010,0020)': 'OTHER-ID-8', '(0010,0022)': 'TEXT' }],
    '(0018,1000)': 'SERIAL-4455',
    '(0019,0010)': 'SIEMENS MR HEADER',
    '(0019,100C)': '1000',
    '(0019,1020)': 'Jane private note',
    '(0020,000D)': '1.2.826.0.1.3680043.2.1125.20040119072730.3',
    '(0028,0010)': '4',
    '(0040,0260)': [{ '(0008,0100)': 'CODE1', '(0008,0104)': 'Meaning', '(0040,A123)': 'Observer^Nested' }],
    ...extra,
  };
}

function run(record: MemoryRecord, profile = 'basic', subjectKey?: string) {
  const ds = new MemoryDataset(record);
  const file = new FileRecorder();
  const report = applyProfile(ds, file, { options: parseProfileOptions(profile), secret: SECRET, dictionaryVr, subjectKey });
  return { ds, file, report, tree: ds.toTree() };
}

describe('applyProfile, Basic Profile', () => {
  it('When a synthetic instance is de-identified, then names, IDs, dates and serials are removed or replaced', () => {
    const { tree } = run(instance());
    expect(tree['(0010,0010)']).toBe('');
    expect(tree['(0010,0020)']).toBe('ANONYMIZED');
    expect(tree['(0010,0030)']).toBe('');
    expect(tree['(0008,0020)']).toBe('');
    expect(tree['(0008,0021)']).toBe('19000101');
    expect(tree['(0010,1000)']).toBeUndefined();
    expect(tree['(0010,1002)']).toBeUndefined();
    expect(tree['(0018,1000)']).toBe('ANONYMIZED'); // X/Z/D, in a standard IOD: a dummy keeps Type 1 uses valid
    expect(tree['(0008,1030)']).toBeUndefined();
    expect(tree['(0008,0080)']).toBe('ANONYMIZED');
  });

  it('When UIDs are present at the top, in File Meta and in sequences, then all are remapped with the keyed hash', () => {
    const source = instance();
    const { tree } = run(source);
    const newSop = remapUid(source['(0008,0018)'] as string, SECRET);
    expect(tree['(0008,0018)']).toBe(newSop);
    expect(tree['(0002,0003)']).toBe(newSop);
    expect(tree['(0020,000D)']).toBe(remapUid(source['(0020,000D)'] as string, SECRET));
    const refs = tree['(0008,1140)'] as MemoryRecord[];
    expect(refs[0]!['(0008,1155)']).toBe(remapUid('1.2.826.0.1.3680043.2.1125.20040119072730.2', SECRET));
    expect(refs[0]!['(0008,1150)']).toBe('1.2.840.10008.5.1.4.1.1.2');
    expect(tree['(0008,0016)']).toBe('1.2.840.10008.5.1.4.1.1.2');
  });

  it('When a sequence not in the table holds a listed attribute, then the attribute is handled inside its item', () => {
    const { tree } = run(instance());
    const items = tree['(0040,0260)'] as MemoryRecord[];
    expect(items[0]!['(0040,A123)']).toBe('ANONYMIZED');
    expect(items[0]!['(0008,0100)']).toBe('CODE1');
  });

  it('When private blocks are present, then every private element and creator is removed', () => {
    const { tree, report } = run(instance());
    expect(Object.keys(tree).filter((k) => /^\(\d{3}[13579BDF],/i.test(k))).toEqual([]);
    expect(report.privateRemoved).toBe(3);
  });

  it('When the profile finishes, then File Meta, preamble and all markers say what was done', () => {
    const { tree, file } = run(instance());
    expect(tree['(0002,0016)']).toBeUndefined();
    expect(tree['(0002,0012)']).toBe(DICOM_INTAKE_IMPLEMENTATION_CLASS_UID);
    expect(tree['(0012,0062)']).toBe('YES');
    expect(tree['(0012,0063)']).toMatch(/PS3\.15-2025b Basic Profile/);
    expect(tree['(0028,0303)']).toBe('REMOVED');
    expect(file.preambleCleared).toBe(true);
    expect(file.codes.map((c) => `${c.codingSchemeDesignator}:${c.codeValue}`)).toEqual(['DCM:113100']);
  });

  it('When the output is checked and scanned, then it has no finding and no residual source value', () => {
    const source = new MemoryDataset(instance());
    const needles = collectNeedles(source, new Set(), dictionaryVr);
    expect(needles.length).toBeGreaterThan(10);
    const { ds } = run(instance());
    expect(checkOutput(ds, new Set()).filter((f) => f.path !== '(0012,0063)')).toEqual([]);
    const haystack = Buffer.from(JSON.stringify(ds.toTree()), 'latin1');
    expect(findResiduals(needles, haystack)).toEqual([]);
    // Negative control: the untouched source is full of residuals.
    expect(findResiduals(needles, Buffer.from(JSON.stringify(source.toTree()), 'latin1')).length).toBeGreaterThan(10);
  });

  it('When the same instance is de-identified twice with the same secret, then the results are identical', () => {
    expect(run(instance()).tree).toEqual(run(instance()).tree);
  });

  it('When Burned In Annotation is YES, then the profile refuses the instance instead of claiming it clean', () => {
    const ds = new MemoryDataset(instance({ '(0028,0301)': 'YES' }));
    expect(() => applyProfile(ds, new FileRecorder(), { options: new Set(), secret: SECRET, dictionaryVr })).toThrow(/Burned In Annotation \(0028,0301\) is YES/);
    expect(run(instance({ '(0028,0301)': 'NO' })).tree['(0012,0062)']).toBe('YES');
  });

  it('When the secret is empty, then the profile refuses to run', () => {
    const ds = new MemoryDataset(instance());
    expect(() => applyProfile(ds, new FileRecorder(), { options: new Set(), secret: '', dictionaryVr })).toThrow(/secret is empty/);
  });
});

describe('applyProfile, options', () => {
  it('When Retain UIDs is chosen, then UIDs stay and 113110 is recorded', () => {
    const source = instance();
    const { tree, file } = run(source, 'basic,retain-uids');
    expect(tree['(0008,0018)']).toBe(source['(0008,0018)']);
    expect(file.codes.map((c) => c.codeValue)).toEqual(['113100', '113110']);
  });

  it('When Modified Dates is chosen, then every date of the subject moves back by the same keyed number of days', () => {
    const { tree } = run(instance(), 'basic,retain-long-modified-dates');
    const days = shiftDaysFor(SECRET, 'PID-0001');
    expect(tree['(0008,0020)']).toBe(shiftDate('20040119', days));
    expect(tree['(0010,0030)']).toBe('');
    expect(tree['(0028,0303)']).toBe('MODIFIED');
  });

  it('When Full Dates is chosen, then dates are kept and (0028,0303) is UNMODIFIED', () => {
    const { tree } = run(instance(), 'basic,retain-long-full-dates');
    expect(tree['(0008,0020)']).toBe('20040119');
    expect(tree['(0028,0303)']).toBe('UNMODIFIED');
  });

  it('When Clean Descriptors is chosen, then descriptions stay but lose the names found elsewhere', () => {
    const { tree } = run(instance(), 'basic,clean-descriptors');
    expect(tree['(0008,1030)']).toBe('Head for');
  });

  it('When Retain Safe Private is chosen, then the listed private element and its creator stay, others go', () => {
    const { tree } = run(instance(), 'basic,retain-safe-private');
    expect(tree['(0019,100C)']).toBe('1000');
    expect(tree['(0019,0010)']).toBe('SIEMENS MR HEADER');
    expect(tree['(0019,1020)']).toBeUndefined();
  });

  it('When Retain Device and Institution Identity are chosen, then serial and institution stay', () => {
    const { tree } = run(instance(), 'basic,retain-device-identity,retain-institution-identity');
    expect(tree['(0018,1000)']).toBe('SERIAL-4455');
    expect(tree['(0008,0080)']).toBe('General Hospital Northside');
  });

  it('When Clean Structured Content is not chosen, then an SR Content Sequence loses its items; when chosen, its items are cleaned', () => {
    const sr = { '(0040,A730)': [{ '(0040,A040)': 'PNAME', '(0040,A123)': 'Reader^Rita' }] };
    expect(run(instance(sr)).tree['(0040,A730)']).toEqual([]);
    const cleaned = run(instance(sr), 'basic,clean-structured-content').tree['(0040,A730)'] as MemoryRecord[];
    expect(cleaned[0]).toEqual({ '(0040,A040)': 'PNAME', '(0040,A123)': 'ANONYMIZED' });
  });

  it('When Clean Graphics is chosen, then overlay bitmaps are removed and overlay comments are scrubbed', () => {
    const { tree } = run(instance({ '(6000,3000)': 'xx', '(6000,4000)': 'Overlay for Doe' }), 'basic,clean-graphics');
    expect(tree['(6000,3000)']).toBeUndefined();
    expect(tree['(6000,4000)']).toBe('Overlay for');
  });
});
