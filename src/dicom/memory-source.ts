/**
 * A {@link DicomSource} over a file already read whole (the offline CLI reads a small file with one call): the
 * reader's segments become views of these bytes, so a small file is parsed and written back without copies or
 * further system calls.
 */
import { DicomEditor } from './editor';
import { readDicomSource, type DicomSource, type ReadOptions } from './reader';

/** The bytes of one file, read at once, with the modification time it had then. */
export class MemorySource implements DicomSource {
  constructor(
    readonly wholeBytes: Buffer,
    private readonly mtimeMs: number,
  ) {}

  stat(): Promise<{ size: number; mtimeMs: number }> {
    return Promise.resolve({ size: this.wholeBytes.length, mtimeMs: this.mtimeMs });
  }

  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }> {
    const end = Math.min(position + length, this.wholeBytes.length);
    return Promise.resolve({ bytesRead: position >= end ? 0 : this.wholeBytes.copy(buffer, offset, position, end) });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** An editor over a file the caller has read whole (`path` names it in errors and the index). */
export async function openDicomBytes(path: string, bytes: Buffer, mtimeMs: number, options?: ReadOptions): Promise<DicomEditor> {
  return new DicomEditor(await readDicomSource(path, new MemorySource(bytes, mtimeMs), options));
}
