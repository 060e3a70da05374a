import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DicomEditor, DicomReadError, sha256File, writeEditedFile } from '../../src/dicom';
import { buildDicom, type SyntheticDicomOptions } from '../factories/dicom-builder';

const CORPUS = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const dir = mkdtempSync(join(tmpdir(), 'dicom-roundtrip-'));

function listFiles(root: string): string[] {
  return readdirSync(root).flatMap((name) => {
    const path = join(root, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

async function roundTrip(input: string): Promise<{ identical: boolean; sha256: string; size: number }> {
  const editor = await DicomEditor.open(input);
  const out = `${input}.out`;
  const written = await writeEditedFile(editor, out);
  const identical = readFileSync(input).equals(readFileSync(out));
  expect(written.sha256).toBe(await sha256File(out));
  return { identical, ...written };
}

describe('round trip without edits', () => {
  const variants: Array<[string, SyntheticDicomOptions]> = [
    ['explicit VR', {}],
    ['implicit VR', { transferSyntax: 'implicit' }],
    ['explicit VR with sequences and a private block', { nestedSequence: true, undefinedLengthSequence: true, privateBlock: true }],
    ['implicit VR with sequences and a private block', { transferSyntax: 'implicit', nestedSequence: true, undefinedLengthSequence: true, privateBlock: true }],
    ['existing (0012,0064) with undefined lengths', { deidentificationCodes: ['113100', '113105'], deidentificationUndefinedLength: true }],
  ];
  for (const [name, options] of variants) {
    it(`When a synthetic ${name} file is written without edits, then the output is byte-identical`, async () => {
      const input = join(dir, `${name.replace(/\W+/g, '_')}.dcm`);
      writeFileSync(input, buildDicom(options));
      const result = await roundTrip(input);
      expect(result.identical).toBe(true);
      expect(result.size).toBe(statSync(input).size);
    });
  }

  it('When every file of the pydicom corpus is read and written without edits, then each is byte-identical, converted to little endian or refused with a DicomReadError', async () => {
    const files = listFiles(CORPUS);
    const identical: string[] = [];
    const converted: Record<string, string> = {};
    const refused: Record<string, string> = {};
    const failed: string[] = [];
    for (const file of files) {
      const name = file.slice(CORPUS.length + 1);
      let editor: DicomEditor;
      try {
        editor = await DicomEditor.open(file);
      } catch (e) {
        if (e instanceof DicomReadError) refused[name] = e.code;
        else failed.push(`${name}: ${String(e)}`);
        continue;
      }
      const out = join(dir, 'corpus-out.dcm');
      await writeEditedFile(editor, out);
      const conversion = editor.index.converted?.conversion;
      if (conversion !== undefined) converted[name] = conversion.kind;
      else if (readFileSync(out).equals(readFileSync(file))) identical.push(name);
      else failed.push(`${name}: output differs`);
    }
    expect(failed).toEqual([]);
    // Converted files (their values are compared with pydicom in transfer-syntax-conversion.test.ts).
    expect(converted).toEqual({
      'ExplVR_BigEnd.dcm': 'big-endian',
      'MR_small_bigendian.dcm': 'big-endian',
      'MR_small_expb.dcm': 'big-endian',
      'liver_expb_1frame.dcm': 'big-endian',
      'rtdose_expb.dcm': 'big-endian',
      'rtdose_expb_1frame.dcm': 'big-endian',
      'dicomdirtests/DICOMDIR-bigEnd': 'big-endian',
      'image_dfl.dcm': 'deflated',
      'ExplVR_BigEndNoMeta.dcm': 'no-meta',
      'ExplVR_LitEndNoMeta.dcm': 'no-meta',
      'rtstruct.dcm': 'no-meta',
    });
    const dicomFiles = files.filter((f) => f.endsWith('.dcm')).length;
    // Most of the DICOM files are editable as they are; the refusals are unrecognisable datasets, truncated, malformed.
    expect(identical.length).toBeGreaterThan(dicomFiles * 0.75);
    expect(refused['no_meta.dcm']).toBe('NOT_DICOM');
    expect(refused['meta_missing_tsyntax.dcm']).toBe('UNSUPPORTED_TRANSFER_SYNTAX');
    expect(refused['MR_truncated.dcm']).toBe('TRUNCATED');
    expect(refused['zipMR.gz']).toBe('NOT_DICOM');
    expect(identical).toContain('CT_small.dcm');
    expect(identical).toContain('UN_sequence.dcm');
    expect(identical).toContain('JPEG2000-embedded-sequence-delimiter.dcm');
  });
});
