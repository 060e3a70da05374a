import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DicomEditor, TAG, writeEditedFile } from '../../src/dicom';
import { buildDicomPrefix } from '../factories/dicom-builder';

const dir = mkdtempSync(join(tmpdir(), 'dicom-large-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PIXEL_BYTES = 150 * 1024 * 1024;

async function writeLargeFile(path: string): Promise<void> {
  const { prefix } = buildDicomPrefix({ rows: 5120, columns: 15360, pixelDataBytes: PIXEL_BYTES });
  const file = await open(path, 'w');
  try {
    await file.write(prefix);
    const chunk = Buffer.alloc(4 * 1024 * 1024);
    for (let written = 0; written < PIXEL_BYTES; written += chunk.length) {
      chunk.fill(written / chunk.length);
      await file.write(chunk, 0, Math.min(chunk.length, PIXEL_BYTES - written));
    }
  } finally {
    await file.close();
  }
}

async function hashRange(path: string, start: number, endExclusive: number): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { start, end: endExclusive - 1 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

describe('large files', () => {
  it('When a file with 150 MB of pixel data is edited, then only the header is held in memory and the pixel bytes are copied unchanged', async () => {
    const input = join(dir, 'large.dcm');
    await writeLargeFile(input);
    const editor = await DicomEditor.open(input);
    expect(editor.index.loadedBytes).toBeLessThan(64 * 1024);
    const pixelIn = editor.index.elements.find((e) => e.tag === TAG.PixelData)!;
    expect(pixelIn.loaded).toBe(false);

    const nameBefore = editor.getString(0x00100010)!;
    editor.setString(0x00100010, 'Anonymous^Large');
    editor.appendDeidentificationMethodCode({ codeValue: '113100', codingSchemeDesignator: 'DCM', codeMeaning: 'Basic Application Confidentiality Profile' });
    const output = join(dir, 'large-out.dcm');
    const written = await writeEditedFile(editor, output);

    const reread = await DicomEditor.open(output);
    const pixelOut = reread.index.elements.find((e) => e.tag === TAG.PixelData)!;
    const sequence = reread.originalElement(TAG.DeidentificationMethodCodeSequence)!;
    const nameGrowth = 'Anonymous^Large '.length - (nameBefore.length + (nameBefore.length % 2));
    expect(written.size).toBe(editor.index.fileSize + nameGrowth + (sequence.end - sequence.start));
    expect(pixelOut.end - pixelOut.valueOffset).toBe(PIXEL_BYTES);
    expect(reread.getString(0x00100010)).toBe('Anonymous^Large');
    expect(reread.getDeidentificationMethodCodes()).toEqual(['113100']);
    expect(await hashRange(output, pixelOut.valueOffset, pixelOut.end)).toBe(await hashRange(input, pixelIn.valueOffset, pixelIn.end));
  });
});
