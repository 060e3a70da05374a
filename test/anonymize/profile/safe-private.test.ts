/**
 * Retain Safe Private (E.3.10) against Table E.3.10-1: the table's shape, a real GE CT (pydicom's CT_small) whose
 * listed GE elements must come out byte for byte while every other private element goes, and a synthetic file
 * where a listed slot holds something other than the table's VR.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deidentifyFile } from '../../../src/activities/deidentify-file';
import { optionCode, parseProfileOptions } from '../../../src/anonymize/profile/profile-options';
import { isSafePrivate } from '../../../src/anonymize/profile/safe-private';
import { SAFE_PRIVATE_TABLE } from '../../../src/anonymize/profile/safe-private-table';
import { openDicom } from '../../../src/dicom';
import { buildDicom } from '../../factories/dicom-builder';
import { withDatasetElement } from '../../factories/raw-element';

const CT_SMALL = '/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm';
const SECRET = 'safe-private-secret';
const profile = parseProfileOptions('basic,retain-safe-private');
const t = (g: number, e: number): number => ((g << 16) | e) >>> 0;

async function privateTags(file: string): Promise<number[]> {
  const editor = await openDicom(file);
  return editor.tagsAt([]).filter((tag) => ((tag >>> 16) & 1) === 1);
}

describe('Table E.3.10-1', () => {
  it('When the table is loaded, then it has the 479 rows of the transcribed edition (2025b per its source), odd groups, no duplicate key', () => {
    expect(SAFE_PRIVATE_TABLE).toHaveLength(479);
    expect(SAFE_PRIVATE_TABLE.every((r) => r.group % 2 === 1 && r.elementByte <= 0xff && r.creator !== '')).toBe(true);
    const keys = SAFE_PRIVATE_TABLE.map((r) => `${r.group}|${r.creator}|${r.elementByte}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('When the option is recorded, then it is CID 7050 code 113111 (not 113101, Clean Pixel Data)', () => {
    expect(optionCode('retainSafePrivate')).toEqual({ codeValue: '113111', codeMeaning: 'Retain Safe Private Option' });
  });

  it('When the block creator differs, or the element byte is not listed, then the element is not safe', () => {
    expect(isSafePrivate(t(0x0019, 0x1023), 'GEMS_ACQU_01')).toBe(true);
    expect(isSafePrivate(t(0x0019, 0x1123), 'GEMS_ACQU_01')).toBe(true); // block 0x11: same element byte
    expect(isSafePrivate(t(0x0019, 0x1023), 'SIEMENS MR HEADER')).toBe(false);
    expect(isSafePrivate(t(0x0019, 0x1002), 'GEMS_ACQU_01')).toBe(false);
    expect(isSafePrivate(t(0x0019, 0x1023), undefined)).toBe(false);
  });

  it('When a row gives two VRs (Philips (2001,xx7D) "OW/OB"), then a value of either is safe and a value of another VR is not', () => {
    const bytes = () => new Uint8Array(8);
    expect(SAFE_PRIVATE_TABLE.find((r) => r.group === 0x2001 && r.elementByte === 0x7d && r.creator === 'Philips Imaging DD 001')?.vr).toBe('OW/OB');
    expect(isSafePrivate(t(0x2001, 0x107d), 'Philips Imaging DD 001', { vr: 'OW', bytes })).toBe(true);
    expect(isSafePrivate(t(0x2001, 0x107d), 'Philips Imaging DD 001', { vr: 'OB', bytes })).toBe(true);
    expect(isSafePrivate(t(0x2001, 0x107d), 'Philips Imaging DD 001', { vr: 'LO', bytes })).toBe(false);
    expect(isSafePrivate(t(0x2001, 0x107d), 'Philips Imaging DD 001', { vr: 'UN', bytes })).toBe(false); // bulk data needs its VR said
  });
});

describe('Retain Safe Private on files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'safe-private-'));

  it('When CT_small (GE) is de-identified with Retain Safe Private, then the listed GE elements keep their bytes and every other private element is removed', async () => {
    const out = join(dir, 'ct.dcm');
    await deidentifyFile(CT_SMALL, out, { profile, secret: SECRET, vars: {} });
    const before = await openDicom(CT_SMALL);
    const after = await openDicom(out);
    const listed = [t(0x0019, 0x1023), t(0x0019, 0x1024), t(0x0019, 0x1027), t(0x0043, 0x1027), t(0x0025, 0x1007)];
    for (const tag of listed) {
      expect(before.getBytesAt([], tag)).toBeDefined();
      expect(Buffer.from(after.getBytesAt([], tag)!)).toEqual(Buffer.from(before.getBytesAt([], tag)!));
    }
    expect(after.getString(t(0x0019, 0x0010))).toBe('GEMS_ACQU_01');
    expect(after.getString(t(0x0043, 0x0010))).toBe('GEMS_PARM_01');
    expect(after.getString(t(0x0025, 0x0010))).toBe('GEMS_SERS_01');
    // Exactly the listed elements and their three creators remain: the GEMS_IDEN_01 block (0009) has none listed.
    expect((await privateTags(out)).sort()).toEqual([...listed, t(0x0019, 0x0010), t(0x0043, 0x0010), t(0x0025, 0x0010)].sort());
    expect((await privateTags(CT_SMALL)).length).toBeGreaterThan(100);
    expect(after.getDeidentificationMethodCodes()).toContain('113111');
  });

  it('When CT_small is de-identified without the option, then no private element remains', async () => {
    const out = join(dir, 'ct-basic.dcm');
    await deidentifyFile(CT_SMALL, out, { profile: parseProfileOptions('basic'), secret: SECRET, vars: {} });
    expect(await privateTags(out)).toEqual([]);
  });

  it('When a listed slot holds a different VR or a non-numeric text, then it is removed; a valid UN value is kept', async () => {
    let file = buildDicom({ elements: { '(0019,0010)': 'GEMS_ACQU_01' } });
    file = withDatasetElement(file, t(0x0019, 0x1002), 'SL', '\x01\x00\x00\x00'); // not listed
    file = withDatasetElement(file, t(0x0019, 0x1023), 'DS', '5.000000'); // listed DS, file DS: kept
    file = withDatasetElement(file, t(0x0019, 0x1024), 'LO', 'Doe^Jane  '); // listed DS, text that is no number
    file = withDatasetElement(file, t(0x0019, 0x1027), 'UN', '1.000000'); // listed DS, VR unknown, a valid DS
    file = withDatasetElement(file, t(0x0019, 0x109e), 'UN', 'PULSE_SEQ '); // listed LO, VR unknown: not provable
    const source = join(dir, 'synthetic.dcm');
    writeFileSync(source, file);
    const out = join(dir, 'synthetic-out.dcm');
    await deidentifyFile(source, out, { profile, secret: SECRET, vars: {} });
    const after = await openDicom(out);
    expect(await privateTags(out)).toEqual([t(0x0019, 0x0010), t(0x0019, 0x1023), t(0x0019, 0x1027)]);
    expect(Buffer.from(after.getBytesAt([], t(0x0019, 0x1023))!).toString('latin1')).toBe('5.000000');
    expect(Buffer.from(after.getBytesAt([], t(0x0019, 0x1027))!).toString('latin1')).toBe('1.000000');
    expect(await openDicom(out).then((e) => e.getBytesAt([], t(0x0019, 0x1024)))).toBeUndefined();
  });
});
