/**
 * A {@link DicomSource} over a file already read whole (the offline CLI reads a small file with one call): the
 * reader's segments become views of these bytes, so a small file is parsed and written back without copies or
 * further system calls.
 */
import { MemoryByteSource } from './byte-source';
import { DicomEditor } from './editor';
import { readDicomSource, type DicomSource, type ReadOptions } from './reader';

/** The bytes of one file, read at once, with the modification time it had then. */
export class MemorySource extends MemoryByteSource implements DicomSource {
  constructor(
    bytes: Buffer,
    private readonly mtimeMs: number,
  ) {
    super(bytes);
  }

  stat(): Promise<{ size: number; mtimeMs: number }> {
    return Promise.resolve({ size: this.bytes.length, mtimeMs: this.mtimeMs });
  }
}

/** An editor over a file the caller has read whole (`path` names it in errors and the index). */
export async function openDicomBytes(path: string, bytes: Buffer, mtimeMs: number, options?: ReadOptions): Promise<DicomEditor> {
  return new DicomEditor(await readDicomSource(path, new MemorySource(bytes, mtimeMs), options));
}
