import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import type { PlainFile, StagedBytes } from './staging-cipher';

const RANGE_PIECE_BYTES = 256 * 1024;

/** yauzl's random-access reader over a staged file's plaintext (an encrypted upload is read without a plaintext copy). */
class PlainFileZipReader extends yauzl.RandomAccessReader {
  constructor(private readonly file: PlainFile) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const file = this.file;
    return Readable.from(
      (async function* () {
        for (let at = start; at < end; ) {
          const piece = Buffer.allocUnsafe(Math.min(RANGE_PIECE_BYTES, end - at));
          const { bytesRead } = await file.read(piece, 0, piece.length, at);
          if (bytesRead === 0) throw new Error(`unexpected end of file at byte ${at}`);
          at += bytesRead;
          yield piece.subarray(0, bytesRead);
        }
      })(),
      { objectMode: false },
    );
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void): void {
    this.file.read(buffer, offset, length, position).then(
      ({ bytesRead }) => callback(bytesRead === length ? null : new Error(`unexpected end of file at byte ${position + bytesRead}`)),
      (err: Error) => callback(err),
    );
  }

  override close(callback: (err: Error | null) => void): void {
    this.file.close().then(() => callback(null), callback);
  }
}

/**
 * Opens a staged zip: plaintext files through yauzl.open as before, sealed ones through a reader that decrypts
 * the ranges yauzl asks for. With autoClose, yauzl closes the file when it is done.
 */
export async function openZip(path: string, options: yauzl.Options, staged: StagedBytes): Promise<yauzl.ZipFile> {
  if (!(await staged.isSealed(path))) {
    return new Promise((res, rej) => yauzl.open(path, options, (err, z) => (err ? rej(err) : res(z!))));
  }
  const file = await staged.openPlain(path);
  const { size } = await file.stat();
  const reader = new PlainFileZipReader(file);
  return new Promise((res, rej) =>
    yauzl.fromRandomAccessReader(reader, size, { ...options, autoClose: options.autoClose ?? true }, (err, z) => {
      if (err) {
        void file.close().catch(() => undefined);
        return rej(err);
      }
      res(z!);
    }),
  );
}
