import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DicomEditor, TAG, writeEditedFile } from '../../src/dicom';
import { readWithPydicom } from './pydicom-probe';

const CORPUS = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const dir = mkdtempSync(join(tmpdir(), 'dicom-corpus-edits-'));
const PatientName = 0x00100010;
const PatientID = 0x00100020;

// One file per kind of layout: explicit and implicit VR, private SQ as UN with undefined length, encapsulated
// JPEG 2000 and RLE, UN-encoded standard sequences, group lengths, a UTF-8-free Latin-1 file.
const FILES = [
  'CT_small.dcm',
  'MR_small_implicit.dcm',
  'UN_sequence.dcm',
  'JPEG2000.dcm',
  'rtdose_rle.dcm',
  'SC_rgb_rle_2frame.dcm',
  'priv_SQ.dcm',
  'test-SR.dcm',
];

describe('editing files of the public corpus', () => {
  for (const name of FILES) {
    it(`When ${name} is edited, then pydicom sees the edits and every other element and the pixel data unchanged`, async () => {
      const input = join(dir, name);
      copyFileSync(join(CORPUS, name), input);
      const before = readWithPydicom(input, []);
      const editor = await DicomEditor.open(input);
      const hadId = editor.has(PatientID);
      const hadName = editor.has(PatientName);
      const hadCodes = editor.has(TAG.DeidentificationMethodCodeSequence);
      editor.setString(PatientName, 'Anon^Corpus');
      editor.delete(PatientID);
      editor.appendDeidentificationMethodCode({ codeValue: '113100', codingSchemeDesignator: 'DCM', codeMeaning: 'Basic Application Confidentiality Profile' });
      editor.appendDeidentificationMethodCode({ codeValue: '113105', codingSchemeDesignator: 'DCM', codeMeaning: 'Clean Descriptors Option' });
      const output = join(dir, `edited-${basename(name)}`);
      await writeEditedFile(editor, output);

      const after = readWithPydicom(output, [PatientName, PatientID]);
      expect(after.values['00100010']).toBe('Anon^Corpus');
      expect(after.values['00100020']).toBeNull();
      expect(after.codes).toEqual(['113100', '113105']);
      expect(after.pixelSha256).toBe(before.pixelSha256);
      expect(after.tagCount).toBe(before.tagCount - (hadId ? 1 : 0) + (hadName ? 0 : 1) + (hadCodes ? 0 : 1));
      const reread = await DicomEditor.open(output);
      expect(reread.getString(PatientName)).toBe('Anon^Corpus');
      expect(reread.getDeidentificationMethodCodes()).toEqual(['113100', '113105']);
    });
  }

  it('When an element changes in a group that has a group length, then (gggg,0000) is recomputed', async () => {
    const editor = await DicomEditor.open(join(CORPUS, '693_J2KI.dcm'));
    expect(editor.getString(0x00100000)).toBe('56');
    editor.setString(PatientName, 'Anonymous^Patient^Longer');
    const output = join(dir, 'edited-693_J2KI.dcm');
    await writeEditedFile(editor, output);
    const reread = await DicomEditor.open(output);
    const group = reread.index.elements.filter((e) => e.tag >>> 16 === 0x0010 && e.tag !== 0x00100000);
    expect(reread.getString(0x00100000)).toBe(String(group.reduce((sum, e) => sum + e.end - e.start, 0)));
    expect(reread.getString(0x00100000)).toBe('68');
  });
});
