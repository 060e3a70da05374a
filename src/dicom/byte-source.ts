/**
 * Where the reader and the writer take a file's bytes from: the file on disk, or (for an input the transfer-syntax
 * adapter converted, see converted-input.ts) a buffer holding the converted Part 10 file.
 */

/** The positioned reads the reader and the writer make; a `FileHandle` is one. */
export interface ByteSource {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
  /** The whole file, when it is already in memory: the reader's segments are then views of it instead of copies. */
  readonly wholeBytes?: Buffer;
}

/**
 * A file opened for positioned reads: a FileHandle, or a view that decrypts an encrypted staging file (storage/). The
 * DICOM layer needs nothing else, so where the bytes come from is the opener's business.
 */
export interface RandomAccessFile extends ByteSource {
  stat(): Promise<{ size: number; mtimeMs: number }>;
}

/** Opens a file for positioned reads. */
export type FileOpener = (path: string) => Promise<RandomAccessFile>;

/** A whole file held in memory, read like a file handle. */
export class MemoryByteSource implements ByteSource {
  constructor(readonly bytes: Buffer) {}

  get wholeBytes(): Buffer {
    return this.bytes;
  }

  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }> {
    const end = Math.min(position + length, this.bytes.length);
    const bytesRead = end > position ? this.bytes.copy(buffer, offset, position, end) : 0;
    return Promise.resolve({ bytesRead });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
