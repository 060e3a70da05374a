import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DicomEditError, DicomEditor, TAG, writeEditedFile, type DicomEditErrorCode } from '../../src/dicom';
import { buildDicom, type SyntheticDicomOptions } from '../factories/dicom-builder';
import { readWithPydicom } from './pydicom-probe';

const dir = mkdtempSync(join(tmpdir(), 'dicom-editor-'));
const PatientName = 0x00100010;
const PatientID = 0x00100020;
const PatientAge = 0x00101010;
const PatientWeight = 0x00101030;
const StudyDescription = 0x00081030;
const RescaleSlope = 0x00281053;
const PrivateValue = 0x00191001;
let counter = 0;

async function editorFor(options: SyntheticDicomOptions): Promise<{ editor: DicomEditor; input: string }> {
  const input = join(dir, `in-${counter++}.dcm`);
  writeFileSync(input, buildDicom(options));
  return { editor: await DicomEditor.open(input), input };
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const code = (codeValue: string, codeMeaning: string) => ({ codeValue, codingSchemeDesignator: 'DCM', codingSchemeVersion: '01', codeMeaning });

function expectEditError(action: () => unknown, code: DicomEditErrorCode): void {
  try {
    action();
  } catch (e) {
    expect(e).toBeInstanceOf(DicomEditError);
    expect((e as DicomEditError).code).toBe(code);
    expect((e as DicomEditError).name).toBe('DicomEditError');
    return;
  }
  throw new Error(`expected DicomEditError ${code}`);
}

for (const transferSyntax of ['explicit', 'implicit'] as const) {
  describe(`editing (${transferSyntax} VR)`, () => {
    it('When a name is set, an ID deleted, an element added and two codes appended, then both our reader and pydicom see exactly that', async () => {
      const { editor } = await editorFor({ transferSyntax, nestedSequence: true, undefinedLengthSequence: true, privateBlock: true, pixelDataBytes: 4096 });
      const pixelBefore = editor.index.elements.find((e) => e.tag === TAG.PixelData);
      expect(editor.getString(PatientName)).toBe('Doe^Jane');
      expect(editor.getString(PatientID)).toBe('PID0001');

      editor.setString(PatientName, 'Anon^Subject');
      editor.delete(PatientID);
      editor.setString(StudyDescription, 'Synthetic study');
      editor.setString(PatientWeight, '70.5');
      editor.appendDeidentificationMethodCode(code('113100', 'Basic Application Confidentiality Profile'));
      editor.appendDeidentificationMethodCode(code('113105', 'Clean Descriptors Option'));
      expect(editor.getDeidentificationMethodCodes()).toEqual(['113100', '113105']);

      const out = join(dir, `out-${counter++}.dcm`);
      const written = await writeEditedFile(editor, out);

      const reread = await DicomEditor.open(out);
      expect(reread.getString(PatientName)).toBe('Anon^Subject');
      expect(reread.has(PatientID)).toBe(false);
      expect(reread.getString(StudyDescription)).toBe('Synthetic study');
      expect(reread.getString(PatientWeight)).toBe('70.5');
      // In implicit VR a private element's VR is unknown (UN), so it reads as '' and is kept byte-for-byte.
      expect(reread.getString(PrivateValue)).toBe(transferSyntax === 'explicit' ? 'private synthetic value' : '');
      expect(reread.getDeidentificationMethodCodes()).toEqual(['113100', '113105']);
      expect(reread.index.fileSize).toBe(written.size);
      const pixelAfter = reread.index.elements.find((e) => e.tag === TAG.PixelData);
      expect(pixelAfter?.end).toBe(written.size);
      expect(pixelAfter && pixelBefore && pixelAfter.end - pixelAfter.start).toBe(pixelBefore && pixelBefore.end - pixelBefore.start);

      const py = readWithPydicom(out, [PatientName, PatientID, StudyDescription, PatientWeight, TAG.FileMetaInformationGroupLength]);
      expect(py.values['00100010']).toBe('Anon^Subject');
      expect(py.values['00100020']).toBeNull();
      expect(py.values['00081030']).toBe('Synthetic study');
      expect(py.values['00101030']).toBe('70.5');
      expect(py.codes).toEqual(['113100', '113105']);
      const original = buildPixelSha(editor);
      expect(py.pixelSha256).toBe(await original);
    });

    it('When codes are appended to an existing (0012,0064), then the old items stay first and unchanged', async () => {
      for (const undefinedLength of [false, true]) {
        const { editor } = await editorFor({ transferSyntax, deidentificationCodes: ['113100'], deidentificationUndefinedLength: undefinedLength });
        const before = editor.index.elementBytes(editor.originalElement(TAG.DeidentificationMethodCodeSequence)!)!;
        editor.appendDeidentificationMethodCode(code('113101', 'Clean Pixel Data Option'));
        editor.appendDeidentificationMethodCode(code('113107', 'Retain Longitudinal Temporal Information Modified Dates Option'));
        const out = join(dir, `out-${counter++}.dcm`);
        await writeEditedFile(editor, out);
        const reread = await DicomEditor.open(out);
        const after = reread.index.elementBytes(reread.originalElement(TAG.DeidentificationMethodCodeSequence)!)!;
        // The first item's bytes are kept: same header length, same first item.
        const headerLength = transferSyntax === 'explicit' ? 12 : 8;
        const firstItemLength = undefinedLength ? before.length - headerLength - 8 : before.length - headerLength;
        expect(after.subarray(headerLength, headerLength + firstItemLength).equals(before.subarray(headerLength, headerLength + firstItemLength))).toBe(true);
        expect(reread.getDeidentificationMethodCodes()).toEqual(['113100', '113101', '113107']);
        expect(readWithPydicom(out, []).codes).toEqual(['113100', '113101', '113107']);
      }
    });

    it('When SOP Instance UID and SOP Class UID change, then the meta group follows and its group length is recomputed', async () => {
      const { editor } = await editorFor({ transferSyntax });
      editor.setString(TAG.SOPInstanceUID, '2.25.42');
      editor.setString(TAG.SOPClassUID, '1.2.840.10008.5.1.4.1.1.7');
      const out = join(dir, `out-${counter++}.dcm`);
      await writeEditedFile(editor, out);
      const reread = await DicomEditor.open(out);
      expect(reread.getString(TAG.MediaStorageSOPInstanceUID)).toBe('2.25.42');
      expect(reread.getString(TAG.MediaStorageSOPClassUID)).toBe('1.2.840.10008.5.1.4.1.1.7');
      const metaBytes = reread.index.elements.filter((e) => e.tag >>> 16 === 2 && e.tag !== TAG.FileMetaInformationGroupLength).reduce((s, e) => s + e.end - e.start, 0);
      expect(reread.getString(TAG.FileMetaInformationGroupLength)).toBe(String(metaBytes));
      const py = readWithPydicom(out, [TAG.SOPInstanceUID, TAG.MediaStorageSOPInstanceUID]);
      expect(py.values['00080018']).toBe('2.25.42');
      expect(py.values['00020003']).toBe('2.25.42');
    });
  });
}

async function buildPixelSha(editor: DicomEditor): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const bytes = await readFile(editor.index.path);
  const pixel = editor.index.elements.find((e) => e.tag === TAG.PixelData)!;
  return sha256(bytes.subarray(pixel.valueOffset, pixel.end));
}

describe('values', () => {
  it('When numbers are set, then they are validated and stored in their binary VR', async () => {
    const { editor } = await editorFor({});
    expectEditError(() => editor.setString(0x00189087, 'fubar'), 'INVALID_VALUE'); // Diffusion b-value, FD
    editor.setString(0x00189087, '30.0');
    expect(editor.getString(0x00189087)).toBe('30');
    expectEditError(() => editor.setString(0x00280010, '70000'), 'INVALID_VALUE'); // Rows, US
    expectEditError(() => editor.setString(RescaleSlope, 'abc'), 'INVALID_VALUE'); // DS
    expectEditError(() => editor.setString(TAG.SOPInstanceUID, 'not-a-uid'), 'INVALID_VALUE');
    editor.setString(PatientAge, ''); // empty values are allowed, and an empty number stays empty
    editor.setString(0x00180088, ''); // Spacing Between Slices, DS
    expect(editor.getString(0x00180088)).toBe('');
  });

  it('When a tag is unknown, private or structural, then creating or editing it is refused with a clear code', async () => {
    const { editor } = await editorFor({ privateBlock: true });
    expectEditError(() => editor.setString(0x00191102, 'x'), 'PRIVATE_TAG'); // block 11 has no creator
    expectEditError(() => editor.setString(0x00210010 + 0x1000, 'x'), 'PRIVATE_TAG'); // group 0021 has no block
    expectEditError(() => editor.setString(0x0008fff0, 'x'), 'UNKNOWN_TAG');
    expectEditError(() => editor.setString(TAG.TransferSyntaxUID, '1.2.840.10008.1.2'), 'NOT_EDITABLE');
    expectEditError(() => editor.setString(TAG.PixelData, 'x'), 'NOT_EDITABLE');
    expectEditError(() => editor.setString(0x00081140, 'x'), 'UNSUPPORTED_VR');
    editor.setString(PrivateValue, 'replaced');
    expect(editor.getString(PrivateValue)).toBe('replaced');
  });

  it('When the character set cannot encode a value, then the edit is refused instead of writing wrong bytes', async () => {
    const { editor: latin1 } = await editorFor({ elements: { PatientName: 'Müller^Jürgen' } });
    expect(latin1.getString(PatientName)).toBe('Müller^Jürgen');
    latin1.setString(PatientName, 'Ærø^Åse');
    expectEditError(() => latin1.setString(PatientName, '山田^太郎'), 'UNSUPPORTED_CHARSET');

    const { editor: utf8 } = await editorFor({ elements: { SpecificCharacterSet: 'ISO_IR 192', PatientName: '山田^太郎' } });
    expect(utf8.getString(PatientName)).toBe('山田^太郎');
    utf8.setString(PatientName, 'Ωμέγα^Δ');
    const out = join(dir, `out-${counter++}.dcm`);
    await writeEditedFile(utf8, out);
    expect(readWithPydicom(out, [PatientName]).values['00100010']).toBe('Ωμέγα^Δ');

    const { editor: iso2022 } = await editorFor({ elements: { SpecificCharacterSet: 'ISO 2022 IR 6\\ISO 2022 IR 87', PatientName: 'Yamada^Taro' } });
    expect(iso2022.getString(PatientName)).toBe('Yamada^Taro');
    iso2022.setString(PatientName, 'Anon^Subject');
    expectEditError(() => iso2022.setString(PatientName, '山田^太郎'), 'UNSUPPORTED_CHARSET');
  });

  it('When text values are read, then DICOM padding is trimmed and multiple values are joined with a backslash', async () => {
    const { editor } = await editorFor({ elements: { ImageType: 'ORIGINAL\\PRIMARY\\AXIAL', StudyDescription: ' padded ', ImageComments: '  keep leading' } });
    expect(editor.getString(0x00080008)).toBe('ORIGINAL\\PRIMARY\\AXIAL');
    expect(editor.getString(StudyDescription)).toBe('padded');
    expect(editor.getString(0x00204000)).toBe('  keep leading'); // LT keeps leading spaces
    expect(editor.getString(TAG.SOPClassUID)).toBe('1.2.840.10008.5.1.4.1.1.2');
    expect(editor.getString(0x00280010)).toBe('4');
    expect(editor.getString(TAG.PixelData)).toBe('');
    expect(editor.getString(0x00100030 + 0x10000)).toBeUndefined();
    expect(editor.tags()).toEqual([...editor.tags()].sort((a, b) => a - b));
    expect(editor.tags()).toContain(PatientName);
  });
});
