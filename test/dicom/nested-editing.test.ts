import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ItemPath } from '../../src/anonymize/dataset';
import { DicomEditError, DicomEditor, writeEditedFile, type DicomEditErrorCode } from '../../src/dicom';
import { buildDicom, type SyntheticDicomOptions } from '../factories/dicom-builder';
import { readPathsWithPydicom, readWithPydicom } from './pydicom-probe';

const CORPUS = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const dir = mkdtempSync(join(tmpdir(), 'dicom-nested-'));
let counter = 0;

const ReferencedSeriesSequence = 0x00081115;
const ReferencedSOPSequence = 0x00081199;
const ReferencedSOPInstanceUID = 0x00081155;
const SeriesInstanceUID = 0x0020000e;
const SeriesDescription = 0x0008103e;
const CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2';

async function open(options: SyntheticDicomOptions): Promise<{ editor: DicomEditor; input: string }> {
  const input = join(dir, `in-${counter++}.dcm`);
  writeFileSync(input, buildDicom(options));
  return { editor: await DicomEditor.open(input), input };
}

async function saved(editor: DicomEditor): Promise<string> {
  const out = join(dir, `out-${counter++}.dcm`);
  await writeEditedFile(editor, out);
  return out;
}

function expectEditError(action: () => unknown, code: DicomEditErrorCode): void {
  let caught: unknown;
  try {
    action();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(DicomEditError);
  expect((caught as DicomEditError).code).toBe(code);
}

const at = (...steps: [number, number][]): ItemPath => steps.map(([tag, item]) => ({ tag, item }));
const hex = (t: number): string => t.toString(16).padStart(8, '0');

/** Two levels of sequences with a private block in an item; lengths defined or undefined. */
function nestedOptions(transferSyntax: 'explicit' | 'implicit', undefinedLength: boolean): SyntheticDicomOptions {
  return {
    transferSyntax,
    pixelDataBytes: 64,
    sequences: {
      '(0008,1115)': {
        undefinedLength,
        items: [
          {
            '(0019,0010)': 'SYN CREATOR',
            '(0019,1001)': 'private in item',
            '(0020,000E)': '1.2.826.0.1.3680043.99.1',
            '(0008,1199)': {
              undefinedLength,
              items: [
                { '(0008,1150)': CT_IMAGE, '(0008,1155)': '1.2.826.0.1.3680043.99.1.1' },
                { '(0008,1150)': CT_IMAGE, '(0008,1155)': '1.2.826.0.1.3680043.99.1.2' },
              ],
            },
          },
        ],
      },
    },
  };
}

for (const transferSyntax of ['explicit', 'implicit'] as const) {
  for (const undefinedLength of [false, true]) {
    const kind = `${transferSyntax} VR, ${undefinedLength ? 'undefined' : 'defined'} lengths`;
    it(`When values two levels deep are set, added and deleted and an item removed (${kind}), then pydicom reads exactly that and nothing else changed`, async () => {
      const { editor, input } = await open(nestedOptions(transferSyntax, undefinedLength));
      const series = at([ReferencedSeriesSequence, 0]);
      const sop1 = at([ReferencedSeriesSequence, 0], [ReferencedSOPSequence, 1]);
      expect(editor.itemCount([], ReferencedSeriesSequence)).toBe(1);
      expect(editor.itemCount(series, ReferencedSOPSequence)).toBe(2);
      expect(editor.vrAt([], ReferencedSeriesSequence)).toBe('SQ');
      expect(editor.getStringAt(sop1, ReferencedSOPInstanceUID)).toBe('1.2.826.0.1.3680043.99.1.2');
      expect(editor.tagsAt(series)).toEqual([0x00081199, 0x00190010, 0x00191001, SeriesInstanceUID]);
      expect(editor.isModified).toBe(false);

      editor.setStringAt(sop1, ReferencedSOPInstanceUID, '2.25.1234567890123456789012345678901234567');
      editor.deleteAt(series, SeriesInstanceUID);
      editor.setStringAt(series, SeriesDescription, 'added in an item');
      editor.setStringAt(series, 0x00191001, 'replaced');
      editor.setStringAt(series, 0x00191002, 'new private value');
      editor.deleteItem(series, ReferencedSOPSequence, 0);
      expect(editor.itemCount(series, ReferencedSOPSequence)).toBe(1);
      const out = await saved(editor);

      const sop0 = `${hex(ReferencedSeriesSequence)}/0/${hex(ReferencedSOPSequence)}/0`;
      const py = readPathsWithPydicom(out, [
        `${sop0}/${hex(ReferencedSOPInstanceUID)}`,
        `${hex(ReferencedSeriesSequence)}/0/${hex(ReferencedSOPSequence)}#`,
        `${hex(ReferencedSeriesSequence)}/0/${hex(SeriesInstanceUID)}`,
        `${hex(ReferencedSeriesSequence)}/0/${hex(SeriesDescription)}`,
        `${hex(ReferencedSeriesSequence)}/0/00191001`,
        `${hex(ReferencedSeriesSequence)}/0/00191002`,
        `${hex(ReferencedSeriesSequence)}/0/00190010`,
      ]);
      // In implicit VR, pydicom does not know the private VR and shows the raw bytes (decoded by the probe).
      expect(Object.values(py)).toEqual([
        '2.25.1234567890123456789012345678901234567',
        '1',
        null,
        'added in an item',
        'replaced',
        'new private value',
        'SYN CREATOR',
      ]);
      const reread = await DicomEditor.open(out);
      expect(reread.getStringAt(at([ReferencedSeriesSequence, 0], [ReferencedSOPSequence, 0]), ReferencedSOPInstanceUID)).toBe(
        '2.25.1234567890123456789012345678901234567',
      );
      // Every other top-level element is byte-identical, and so is the pixel data.
      const before = await DicomEditor.open(input);
      const bytesOf = (e: DicomEditor, tag: number): string => {
        const element = e.originalElement(tag)!;
        return readFileSync(e.index.path).subarray(element.start, element.end).toString('hex');
      };
      for (const element of before.index.elements) {
        if (element.tag === ReferencedSeriesSequence) continue;
        expect(bytesOf(reread, element.tag)).toBe(bytesOf(before, element.tag));
      }
      expect(readWithPydicom(out, []).pixelSha256).toBe(readWithPydicom(input, []).pixelSha256);
    });
  }
}

for (const transferSyntax of ['explicit', 'implicit'] as const) {
  it(`When := creates items and sequences (${transferSyntax} VR), then pydicom reads the new items and the untouched ones are unchanged`, async () => {
    const { editor } = await open(nestedOptions(transferSyntax, true));
    const series = at([ReferencedSeriesSequence, 0]);
    editor.ensureItem(series, ReferencedSOPSequence, 3);
    editor.setStringAt(at([ReferencedSeriesSequence, 0], [ReferencedSOPSequence, 3]), ReferencedSOPInstanceUID, '1.2.3.4');
    editor.ensureItem([], 0x00081140, 0);
    editor.setStringAt(at([0x00081140, 0]), ReferencedSOPInstanceUID, '1.2.3.5');
    editor.ensureItem(series, 0x00191002, 0); // a private sequence in an existing block
    editor.setStringAt(at([ReferencedSeriesSequence, 0], [0x00191002, 0]), 0x00100010, 'Nested^Private');
    const out = await saved(editor);
    const py = readPathsWithPydicom(out, [
      '00081115/0/00081199#',
      '00081115/0/00081199/1/00081155',
      '00081115/0/00081199/2/00081155',
      '00081115/0/00081199/3/00081155',
      '00081140/0/00081155',
      '00081115/0/00191002/0/00100010',
    ]);
    expect(Object.values(py)).toEqual(['4', '1.2.826.0.1.3680043.99.1.2', null, '1.2.3.4', '1.2.3.5', 'Nested^Private']);
  });
}

describe('nested editing', () => {
  it('When nested values are only read, then the written file is byte-identical to the input', async () => {
    const { editor, input } = await open(nestedOptions('explicit', true));
    editor.getStringAt(at([ReferencedSeriesSequence, 0], [ReferencedSOPSequence, 1]), ReferencedSOPInstanceUID);
    editor.tagsAt(at([ReferencedSeriesSequence, 0]));
    expect(editor.isModified).toBe(false);
    const out = await saved(editor);
    expect(readFileSync(out).equals(readFileSync(input))).toBe(true);
  });

  it('When an item holds a group length and a value of its group changes, then the group length is recomputed', async () => {
    const { editor } = await open({
      sequences: {
        '(0008,1140)': { items: [{ '(0008,0000)': '60', '(0008,1150)': CT_IMAGE, '(0008,1155)': '1.2.826.0.1.3680043.99.2.1' }] },
      },
    });
    const item = at([0x00081140, 0]);
    editor.setStringAt(item, ReferencedSOPInstanceUID, '1.2.3');
    const reread = await DicomEditor.open(await saved(editor));
    // Explicit VR: each element is an 8-byte header and its even-length value: (8 + 26) + (8 + 6).
    expect(reread.getStringAt(item, 0x00080000)).toBe('48');
    expect(reread.getStringAt(item, ReferencedSOPInstanceUID)).toBe('1.2.3');
  });

  it('When an edit names a missing item, a structural tag, a sequence or a private element without creator, then it is refused', async () => {
    const { editor } = await open(nestedOptions('explicit', false));
    const series = at([ReferencedSeriesSequence, 0]);
    expectEditError(() => editor.setStringAt(at([ReferencedSeriesSequence, 5]), SeriesDescription, 'x'), 'NOT_EDITABLE');
    expectEditError(() => editor.setStringAt(series, 0x00020010, '1.2'), 'NOT_EDITABLE');
    expectEditError(() => editor.setStringAt(series, 0x00080000, '1'), 'NOT_EDITABLE');
    expectEditError(() => editor.setStringAt(series, ReferencedSOPSequence, 'x'), 'UNSUPPORTED_VR');
    expectEditError(() => editor.setStringAt(series, 0x00211001, 'x'), 'PRIVATE_TAG');
    expectEditError(() => editor.setStringAt(series, 0x00081155, 'not a uid'), 'INVALID_VALUE');
    expectEditError(() => editor.ensureItem(series, SeriesInstanceUID, 0), 'UNSUPPORTED_VR');
    expectEditError(() => editor.ensureItem(series, 0x00211001, 0), 'PRIVATE_TAG');
    expectEditError(() => editor.ensureItem([], 0x00100010, 0), 'UNSUPPORTED_VR');
    expect(editor.getStringAt(at([ReferencedSeriesSequence, 5]), SeriesDescription)).toBeUndefined();
    expect(editor.itemCount(at([ReferencedSeriesSequence, 5]), ReferencedSOPSequence)).toBe(0);
    expect(editor.isModified).toBe(false);
  });
});

describe('character sets in items', () => {
  it('When an item declares UTF-8 under a Latin-1 file, then its values are read and written in UTF-8 and pydicom agrees', async () => {
    const { editor } = await open({
      sequences: { '(0040,A073)': { items: [{ '(0008,0005)': 'ISO_IR 192', '(0040,A075)': '山田^太郎' }, { '(0040,A075)': 'Müller^Jörg' }] } },
    });
    const utf8Item = at([0x0040a073, 0]);
    const latin1Item = at([0x0040a073, 1]);
    expect(editor.getStringAt(utf8Item, 0x0040a075)).toBe('山田^太郎');
    expect(editor.getStringAt(latin1Item, 0x0040a075)).toBe('Müller^Jörg');
    editor.setStringAt(utf8Item, 0x0040a075, '鈴木^花子');
    expectEditError(() => editor.setStringAt(latin1Item, 0x0040a075, '鈴木^花子'), 'UNSUPPORTED_CHARSET');
    editor.setStringAt(latin1Item, 0x0040a075, 'Søren^Ærø');
    const out = await saved(editor);
    expect(readPathsWithPydicom(out, ['0040a073/0/0040a075', '0040a073/1/0040a075'])).toEqual({
      '0040a073/0/0040a075': '鈴木^花子',
      '0040a073/1/0040a075': 'Søren^Ærø',
    });
  });
});

describe('nested editing of the public corpus', () => {
  it('When values inside the UN-encoded private sequence of UN_sequence.dcm are edited, then pydicom reads them and the pixel data is unchanged', async () => {
    const input = join(dir, 'UN_sequence.dcm');
    copyFileSync(join(CORPUS, 'UN_sequence.dcm'), input);
    const editor = await DicomEditor.open(input);
    const top = at([0x4453100c, 0]);
    const sop = at([0x4453100c, 0], [ReferencedSeriesSequence, 0], [ReferencedSOPSequence, 0]);
    expect(editor.getStringAt(sop, ReferencedSOPInstanceUID)).toBe('1.2.840.113619.2.327.3.185221411.476.1398588726.278.80');
    editor.setStringAt(sop, ReferencedSOPInstanceUID, '2.25.42');
    editor.deleteAt(top, 0x0020000d);
    const out = await saved(editor);
    const py = readPathsWithPydicom(out, ['4453100c/0/00081115/0/00081199/0/00081155', '4453100c/0/0020000d', '4453100c/0/00081115/0/0020000e']);
    expect(py).toEqual({
      '4453100c/0/00081115/0/00081199/0/00081155': '2.25.42',
      '4453100c/0/0020000d': null,
      '4453100c/0/00081115/0/0020000e': '1.2.840.113619.2.327.3.185221411.476.1398588726.276',
    });
    expect(readWithPydicom(out, []).pixelSha256).toBe(readWithPydicom(input, []).pixelSha256);
  });

  it('When a value inside the implicit-VR private sequence of priv_SQ.dcm is replaced, then pydicom finds it inside the private bytes', async () => {
    const input = join(dir, 'priv_SQ.dcm');
    copyFileSync(join(CORPUS, 'priv_SQ.dcm'), input);
    const editor = await DicomEditor.open(input);
    const item = at([0x3f031001, 0]);
    expect(editor.itemCount([], 0x3f031001)).toBe(1);
    expect(editor.getStringAt(item, 0x00080090)).toBe('111111111111111');
    editor.setStringAt(item, 0x00080090, 'Anonymous');
    const out = await saved(editor);
    expect(readPathsWithPydicom(out, ['3f031001/0/00080090'])).toEqual({ '3f031001/0/00080090': 'Anonymous' });
    const reread = await DicomEditor.open(out);
    expect(reread.getStringAt(item, 0x00080090)).toBe('Anonymous');
    expect(reread.tagsAt(item)).toEqual(editor.tagsAt(item));
  });

  it('When test-SR.dcm is edited four levels deep, in Latin-1, and an item is deleted, then pydicom reads the new tree', async () => {
    const input = join(dir, 'test-SR.dcm');
    copyFileSync(join(CORPUS, 'test-SR.dcm'), input);
    const editor = await DicomEditor.open(input);
    const ContentSequence = 0x0040a730;
    const deep = at([ContentSequence, 1], [ContentSequence, 0], [ContentSequence, 0], [0x0040a043, 0]);
    expect(editor.getStringAt(deep, 0x00080104)).toBe('Code');
    expect(editor.getStringAt(at([0x0040a073, 0]), 0x0040a075)).toBe('Riesmeier^Jörg');
    editor.setStringAt(deep, 0x00080104, 'Changed meaning');
    editor.setStringAt(at([0x0040a073, 0]), 0x0040a075, 'Müller^Anon');
    editor.deleteAt(at([ContentSequence, 1], [ContentSequence, 0]), 0x0040a160);
    editor.deleteItem([], 0x0040a073, 1);
    const out = await saved(editor);
    const py = readPathsWithPydicom(out, [
      '0040a730/1/0040a730/0/0040a730/0/0040a043/0/00080104',
      '0040a730/1/0040a730/0/0040a730/1/0040a043/0/00080104',
      '0040a073/0/0040a075',
      '0040a073#',
      '0040a730/1/0040a730/0/0040a160',
      '0040a730#',
    ]);
    expect(Object.values(py)).toEqual(['Changed meaning', 'Code', 'Müller^Anon', '1', null, '5']);
  });
});
