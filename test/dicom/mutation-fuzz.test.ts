import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DicomEditError, DicomEditor, DicomReadError, readDicomFile, writeEditedFile } from '../../src/dicom';
import { buildDicom } from '../factories/dicom-builder';
import { MUTATIONS, deeplyNested, mutate, seededRandom } from '../factories/dicom-mutator';

// Bounded and seeded: FUZZ_SEED and FUZZ_CASES reproduce or widen a run; the defaults keep CI to seconds.
const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const CASES_PER_MUTATION = Number(process.env.FUZZ_CASES ?? 40);
const CORPUS = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const SEEDS: Record<string, Buffer> = {
  'synthetic explicit': buildDicom({ transferSyntax: 'explicit' }),
  'synthetic implicit': buildDicom({ transferSyntax: 'implicit' }),
  'CT_small.dcm': readFileSync(join(CORPUS, 'CT_small.dcm')),
  'priv_SQ.dcm': readFileSync(join(CORPUS, 'priv_SQ.dcm')),
  'test-SR.dcm': readFileSync(join(CORPUS, 'test-SR.dcm')),
};
const PatientName = 0x00100010;
const dir = mkdtempSync(join(tmpdir(), 'dicom-fuzz-'));

/**
 * What a mutant may do: be refused with one of our typed errors, or be read, edited and written so that the
 * output reads back with every untouched element's bytes unchanged. Anything else (a TypeError, a RangeError,
 * a hang, a silently different element) is a defect.
 */
async function exercise(path: string, out: string): Promise<'refused' | 'written'> {
  try {
    const editor = await DicomEditor.open(path);
    for (const element of editor.index.elements) {
      try {
        editor.getString(element.tag);
      } catch (err) {
        if (!(err instanceof DicomEditError)) throw err;
      }
    }
    editor.setString(PatientName, 'Fuzzed^Name');
    await writeEditedFile(editor, out);
    const before = editor.index;
    const after = await readDicomFile(out);
    // Compared occurrence by occurrence: a mutant may carry the same tag twice, and both copies must survive.
    const occurrences = (elements: typeof before.elements, tag: number) => elements.filter((e) => e.tag === tag);
    const untouched = before.elements.filter((e) => e.tag !== PatientName && e.loaded && e.tag !== 0x00020000);
    for (const element of untouched) {
      const nth = occurrences(before.elements, element.tag).indexOf(element);
      const copy = occurrences(after.elements, element.tag)[nth];
      expect(copy, `element ${element.tag.toString(16)} kept`).toBeDefined();
      expect(after.valueBytes(copy)?.equals(before.valueBytes(element)!), `element ${element.tag.toString(16)} unchanged`).toBe(true);
    }
    return 'written';
  } catch (err) {
    if (err instanceof DicomReadError || err instanceof DicomEditError) {
      expect(err.message).not.toMatch(/undefined|NaN|\[object/);
      return 'refused';
    }
    throw err;
  }
}

describe('mutated DICOM files through the byte layer', () => {
  for (const [name, seed] of Object.entries(SEEDS)) {
    it(`When ${CASES_PER_MUTATION} mutants of each kind are made from ${name}, then each is refused with a typed error or written losslessly`, async () => {
      const random = seededRandom(SEED ^ name.length);
      const counts = { refused: 0, written: 0 };
      for (const kind of MUTATIONS) {
        for (let i = 0; i < CASES_PER_MUTATION; i++) {
          const { bytes, what } = mutate(seed, kind, random);
          const path = join(dir, `in-${i}.dcm`);
          writeFileSync(path, bytes);
          try {
            counts[await exercise(path, join(dir, `out-${i}.dcm`))]++;
          } catch (err) {
            throw new Error(`seed ${SEED}, ${name}, ${kind} case ${i} (${what}): ${(err as Error).stack}`);
          }
        }
      }
      expect(counts.refused + counts.written).toBe(CASES_PER_MUTATION * MUTATIONS.length);
      // Both outcomes occur: the mutator hits fatal and harmless places, so neither branch is dead.
      expect(counts.refused).toBeGreaterThan(0);
      expect(counts.written).toBeGreaterThan(0);
    });
  }

  it('When a sequence is nested 10,000 levels deep, then the file is refused with a typed error, not a stack overflow', async () => {
    const seed = SEEDS['synthetic explicit'];
    const metaLength = seed.readUInt32LE(132 + 8);
    const prefix = seed.subarray(0, 132 + 12 + metaLength);
    const path = join(dir, 'deep.dcm');
    writeFileSync(path, deeplyNested(prefix, 10_000));
    await expect(exercise(path, join(dir, 'deep-out.dcm'))).resolves.toBe('refused');
  });
});
