import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { buildDicomPrefix, type SyntheticDicomOptions } from '../src/dicom/synthetic';

/**
 * Writes a synthetic DICOM file of any size for the benchmarks: the header of `options`, then its pixel data as a
 * repeating byte pattern streamed in 1 MB chunks (memory stays flat whatever the size).
 */
export async function writeSyntheticFile(path: string, options: SyntheticDicomOptions): Promise<void> {
  const { prefix, pixelDataBytes } = buildDicomPrefix(options);
  const out = createWriteStream(path);
  out.write(prefix);
  const chunk = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 13) & 0xff;
  for (let left = pixelDataBytes; left > 0; left -= chunk.length) {
    if (!out.write(left >= chunk.length ? chunk : chunk.subarray(0, left))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
