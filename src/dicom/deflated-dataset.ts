/**
 * Deflated Explicit VR Little Endian (PS3.5 Annex A.5): the dataset after the File Meta is one raw deflate stream.
 * It is inflated while it is read, in chunks, and the inflated size is capped so that a small hostile file (a
 * "zip bomb") cannot exhaust memory; the result is an Explicit VR Little Endian dataset.
 */
import { pipeline } from 'node:stream/promises';
import { createInflateRaw } from 'node:zlib';
import type { ByteSource } from './byte-source';
import { DicomReadError } from './errors';

const READ_CHUNK_BYTES = 256 * 1024;

/** Inflates bytes [from, to) of `source`; throws BAD_DEFLATE for a broken stream, TOO_LARGE_TO_CONVERT past `maxBytes`. */
export async function inflateDataset(source: ByteSource, from: number, to: number, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  async function* compressed(): AsyncGenerator<Buffer> {
    for (let pos = from; pos < to; ) {
      const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK_BYTES, to - pos));
      const { bytesRead } = await source.read(chunk, 0, chunk.length, pos);
      if (bytesRead === 0) throw new DicomReadError('TRUNCATED', `the file shrank while its deflated dataset was read (at byte ${pos})`);
      pos += bytesRead;
      yield chunk.subarray(0, bytesRead);
    }
  }
  async function collect(inflated: AsyncIterable<Buffer>): Promise<void> {
    for await (const chunk of inflated) {
      total += chunk.length;
      if (total > maxBytes) {
        throw new DicomReadError('TOO_LARGE_TO_CONVERT', `the deflated dataset inflates to more than ${maxBytes} bytes (maxConvertedBytes); it is refused as a possible decompression bomb`);
      }
      chunks.push(chunk);
    }
  }
  try {
    await pipeline(compressed(), createInflateRaw(), collect);
  } catch (e) {
    if (e instanceof DicomReadError) throw e;
    // zlib's messages name the defect in the stream ("invalid stored block lengths"), never its content.
    throw new DicomReadError('BAD_DEFLATE', `the deflated dataset after byte ${from} cannot be inflated: ${(e as Error).message}`);
  }
  if (total === 0) throw new DicomReadError('BAD_DEFLATE', `the deflated dataset after byte ${from} is empty`);
  return Buffer.concat(chunks, total);
}
