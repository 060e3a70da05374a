import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyScript, compileScript, hashUid, ScriptRuntimeError } from '../../src/anonymize';
import { DicomEditor, DicomReadError, TAG, writeEditedFile } from '../../src/dicom';
import { buildDicom, type SyntheticDicomOptions } from '../factories/dicom-builder';
import { readPathsWithPydicom, readWithPydicom } from './pydicom-probe';

const CORPUS = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const dir = mkdtempSync(join(tmpdir(), 'dicom-script-'));
let counter = 0;

function synthetic(options: SyntheticDicomOptions): string {
  const path = join(dir, `in-${counter++}.dcm`);
  writeFileSync(path, buildDicom(options));
  return path;
}

function corpus(name: string): string {
  const path = join(dir, `${counter++}-${name}`);
  copyFileSync(join(CORPUS, name), path);
  return path;
}

/** Applies a script to a file and writes the result; returns the output path. */
async function apply(input: string, script: string, vars: Record<string, string> = {}): Promise<string> {
  const editor = await DicomEditor.open(input);
  const result = applyScript(compileScript(script), editor, vars);
  expect(result.rejected).toBe(false);
  const out = join(dir, `out-${counter++}.dcm`);
  await writeEditedFile(editor, out);
  return out;
}

describe('group 2 (file meta) through scripts', () => {
  it('When the SOP Instance UID is hashed and the script also writes (0002,0003), then the meta copy ends equal to the dataset (DE-30)', async () => {
    const input = synthetic({ elements: { SOPInstanceUID: '1.2.3.4.5' } });
    const out = await apply(input, 'version "6.3"\n(0008,0018) := hashUID[(0008,0018)]\n(0002,0003) := "1.2.3"\n-(0002,0013)\n(0002,0016) := "SENDER"');
    const py = readWithPydicom(out, [TAG.SOPInstanceUID, TAG.MediaStorageSOPInstanceUID, 0x00020013, 0x00020016]);
    expect(py.values).toEqual({
      '00080018': '2.25.281097975800109040096884226991818420711',
      '00020003': '2.25.281097975800109040096884226991818420711',
      '00020013': null,
      '00020016': 'SENDER',
    });
    const reread = await DicomEditor.open(out);
    const meta = reread.index.elements.filter((e) => e.tag >>> 16 === 2 && e.tag !== TAG.FileMetaInformationGroupLength);
    expect(reread.getString(TAG.FileMetaInformationGroupLength)).toBe(String(meta.reduce((n, e) => n + e.end - e.start, 0)));
  });
});

describe('edits the file refuses', () => {
  it('When a script writes a value invalid for the VR, then the error names the statement and the reason, never the value', async () => {
    const editor = await DicomEditor.open(synthetic({}));
    let caught: unknown;
    try {
      applyScript(compileScript('version "6.3"\n(0010,0010) := "Anon"\n(0008,0014) := "Secret-Not-A-UID"'), editor, {});
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ScriptRuntimeError);
    expect(caught).toMatchObject({ code: 'EDIT_REFUSED', line: 3, column: 1 });
    expect((caught as Error).message).toBe('line 3, column 1: value is not a valid UI: a UID is up to 64 digits and dots (INVALID_VALUE)');
  });
});

describe('scripts reaching into sequences of real files', () => {
  it('When */(0040,A075) is replaced and */(0040,A160) deleted in test-SR.dcm, then pydicom sees every level changed', async () => {
    const out = await apply(corpus('test-SR.dcm'), 'version "6.3"\n*/(0040,A075) ?= "Anon^Observer"\n-*/(0040,A160)');
    const py = readPathsWithPydicom(out, ['0040a073/0/0040a075', '0040a073/1/0040a075', '0040a730/1/0040a730/0/0040a160', '0040a730/2/0040a160']);
    expect(Object.values(py)).toEqual(['Anon^Observer', 'Anon^Observer', null, null]);
  });

  it('When */(0008,0090) is replaced in priv_SQ.dcm, then the value inside the implicit private sequence changes too', async () => {
    const out = await apply(corpus('priv_SQ.dcm'), 'version "6.3"\n*/(0008,0090) ?= "Anonymous"');
    expect(readPathsWithPydicom(out, ['3f031001/0/00080090'])).toEqual({ '3f031001/0/00080090': 'Anonymous' });
  });

  it('When removeAllPrivateTags runs on UN_sequence.dcm and priv_SQ.dcm, then pydicom finds no private element', async () => {
    for (const name of ['UN_sequence.dcm', 'priv_SQ.dcm']) {
      const input = corpus(name);
      const out = await apply(input, 'version "6.3"\nremoveAllPrivateTags');
      const before = readWithPydicom(input, []);
      const after = readWithPydicom(out, []);
      expect(after.tagCount).toBeLessThan(before.tagCount);
      const reread = await DicomEditor.open(out);
      expect(reread.tags().filter((t) => (t >>> 16) % 2 === 1)).toEqual([]);
      expect(after.pixelSha256).toBe(before.pixelSha256);
    }
  });
});

describe('alterPixels on files', () => {
  for (const transferSyntax of ['explicit', 'implicit'] as const) {
    it(`When alterPixels blanks a rectangle of a native ${transferSyntax} VR image, then only those samples change and the transfer syntax is kept`, async () => {
      const input = synthetic({ transferSyntax, rows: 6, columns: 8, elements: { NumberOfFrames: '2' }, pixelDataBytes: 6 * 8 * 2 * 2 });
      const out = await apply(input, 'version "6.3"\nalterPixels["rectangle", "l=2, t=1, r=5, b=3", "solid", "v=4660"]');
      const before = readFileSync(input);
      const after = readFileSync(out);
      expect(after.length).toBe(before.length);
      const pixels = (b: Buffer): Buffer => b.subarray(b.length - 6 * 8 * 2 * 2);
      for (let f = 0; f < 2; f++) {
        for (let r = 0; r < 6; r++) {
          for (let c = 0; c < 8; c++) {
            const at = ((f * 6 + r) * 8 + c) * 2;
            const inside = r >= 1 && r < 3 && c >= 2 && c < 5;
            expect(pixels(after).readUInt16LE(at)).toBe(inside ? 4660 : pixels(before).readUInt16LE(at));
          }
        }
      }
      expect(before.subarray(0, before.length - 96 * 2).equals(after.subarray(0, after.length - 96 * 2))).toBe(true);
    });
  }

  it.each([
    [0, [3, 4, 5]],
    [1, [1, 7, 13]],
  ])('When alterPixels fills an 8-bit RGB image with Planar Configuration %i, then exactly the samples of that pixel change', async (planar, changed) => {
    const elements = { SamplesPerPixel: '3', PhotometricInterpretation: 'RGB', PlanarConfiguration: String(planar), BitsAllocated: '8', BitsStored: '8', HighBit: '7' };
    const input = synthetic({ rows: 2, columns: 3, elements, pixelDataBytes: 18 });
    const out = await apply(input, 'version "6.3"\nalterPixels["rectangle", "l=1, t=0, r=2, b=1", "solid", "v=9"]');
    const before = readFileSync(input).subarray(-18);
    const after = readFileSync(out).subarray(-18);
    for (let k = 0; k < 18; k++) expect(after[k]).toBe(changed.includes(k) ? 9 : before[k]);
  });

  it('When alterPixels meets compressed pixel data, then the script fails with UNSUPPORTED_PIXEL_DATA instead of leaving the text', async () => {
    const editor = await DicomEditor.open(corpus('JPEG2000.dcm'));
    let caught: unknown;
    try {
      applyScript(compileScript('version "6.3"\nalterPixels["rectangle", "l=0, t=0, r=10, b=10", "solid", "v=0"]'), editor, {});
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ScriptRuntimeError);
    expect((caught as ScriptRuntimeError).code).toBe('UNSUPPORTED_PIXEL_DATA');
  });
});

describe('determinism', () => {
  const script = [
    'version "6.6"',
    '(0008,0018) := hashUID[(0008,0018)]',
    '(0010,0010) := subject',
    'shiftDateTimeSequenceByIncrement[-864000, "*/(0008,0020)"]',
    '(0008,1115)[%]/(0020,000E) ?= hashUID[(0020,000D)]',
    'removeAllPrivateTags',
    'alterPixels["rectangle", "l=0, t=0, r=2, b=2", "solid", "v=0"]',
  ].join('\n');
  const options: SyntheticDicomOptions = {
    privateBlock: true,
    nestedSequence: true,
    elements: { SOPInstanceUID: '1.2.3.4.5', StudyInstanceUID: '1.2.3.4.5.6', SeriesInstanceUID: '1.2.3.4.5.6.7' },
    sequences: { '(0008,1115)': { undefinedLength: true, items: [{ '(0020,000E)': '1.2.3.4.5.6.7', '(0008,0020)': '20240102' }, { '(0020,000E)': '1.2.3.4.5.6.8' }] } },
  };

  it('When the same file, script and variables are applied twice, then the outputs are byte-identical; other variables give other bytes', async () => {
    const input = synthetic(options);
    const a = readFileSync(await apply(input, script, { subject: 'S01' }));
    const b = readFileSync(await apply(input, script, { subject: 'S01' }));
    const c = readFileSync(await apply(input, script, { subject: 'S02' }));
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
    const py = readPathsWithPydicom(join(dir, `out-${counter - 3}.dcm`), ['00081115/0/0020000e', '00081115/0/00080020', '00080018']);
    expect(py).toEqual({ '00081115/0/0020000e': hashUid('1.2.3.4.5.6'), '00081115/0/00080020': '20231223', '00080018': hashUid('1.2.3.4.5') });
  });
});

// pydicom walks every element at every depth of each output: private tags, (0008,0090) and names other than "Anon".
const WALK = `
import sys, json, pydicom
out = {}
for path in sys.argv[1:]:
    ds = pydicom.dcmread(path)
    bad = []
    for e in ds.iterall():
        if e.tag.is_private or e.tag == 0x00080090 or (e.tag == 0x00100010 and str(e.value) != "Anon"):
            bad.append(str(e.tag))
    out[path.rsplit("/", 1)[-1]] = bad
print(json.dumps(out))
`;

describe('scripts at every depth over the public corpus', () => {
  it('When */ paths and removeAllPrivateTags run on every readable corpus file, then pydicom finds nothing left at any depth', async () => {
    const script = compileScript('version "6.3"\n*/(0010,0010) ?= "Anon"\nremoveAllPrivateTags\n-*/(0008,0090)\n*/(0008,1155) ?= hashUID[(0020,000D)]');
    const outputs: string[] = [];
    for (const name of readdirSync(CORPUS).filter((n) => n.endsWith('.dcm'))) {
      let editor: DicomEditor;
      try {
        editor = await DicomEditor.open(join(CORPUS, name));
      } catch (e) {
        // Refusals (big endian, deflate, truncation, no meta header) are covered by round-trip.test.ts.
        expect(e).toBeInstanceOf(DicomReadError);
        continue;
      }
      applyScript(script, editor, {});
      const out = join(dir, `corpus-${name}`);
      await writeEditedFile(editor, out);
      outputs.push(out);
    }
    expect(outputs.length).toBeGreaterThan(40);
    const found = JSON.parse(execFileSync('/usr/bin/python3', ['-W', 'ignore', '-c', WALK, ...outputs], { encoding: 'utf8' })) as Record<string, string[]>;
    expect(Object.entries(found).filter(([, bad]) => bad.length > 0)).toEqual([]);
  });
});
