import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { PassThrough, Readable, Transform } from 'node:stream';
import type { CodecKey } from '../codec/keyring';
import { StagedFileDamagedError } from '../domain/intake-errors';
import { ChunkSealer, looksSealed, MAX_SEAL_HEADER_BYTES, parseSealHeader, SealedFileReader, SEAL_CHUNK_BYTES, SNIFF_BYTES } from './sealed-file';

/** Random-access reads of a file's plaintext: what the DICOM reader and writer and the zip reader need. */
export interface PlainFile {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  stat(): Promise<{ size: number; mtimeMs: number }>;
  close(): Promise<void>;
}

/** Where raw bytes are written and read: sealed (encrypted) with a staging key when one is configured. */
export interface StagedBytes {
  /** Whether new staging files are written encrypted. */
  readonly sealing: boolean;
  /** Opens a staged file for plaintext reads, sealed or not (files from before a key was set stay readable). */
  openPlain(path: string): Promise<PlainFile>;
  /** Whether a file is sealed (starts with the sealed format's magic). */
  isSealed(path: string): Promise<boolean>;
  /** The file's plaintext as a stream. */
  readStream(path: string): Readable;
  /** A transform to put just before the file stream of a new staging file: seals, or passes bytes through. */
  sealStream(): Transform;
  /** A sealer for a writer that writes by itself (the C-STORE receiver); undefined without a key. */
  sealer(): ChunkSealer | undefined;
}

const READ_PIECE_BYTES = 256 * 1024;

/**
 * Staging encryption with a keyring in the payload codec's format (`ID=BASE64,…`): the first key seals new files,
 * every key opens files (rotation). Without keys it writes plaintext, as before, and still opens sealed files'
 * headers to say which key is missing. Decisions are per file, from its first bytes: a file written before the key
 * was configured is read as it is.
 */
export class StagingCipher implements StagedBytes {
  private readonly byId: Map<string, Buffer>;

  constructor(private readonly keys: readonly CodecKey[] = []) {
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  get sealing(): boolean {
    return this.keys.length > 0;
  }

  /** Id of the key new files are sealed with. */
  get activeKeyId(): string | undefined {
    return this.keys[0]?.id;
  }

  sealer(): ChunkSealer | undefined {
    return this.keys[0] ? new ChunkSealer(this.keys[0], SEAL_CHUNK_BYTES) : undefined;
  }

  sealStream(): Transform {
    const sealer = this.sealer();
    if (!sealer) return new PassThrough();
    let started = false;
    return new Transform({
      transform(chunk: Buffer, _e, cb) {
        const out = sealer.push(chunk);
        if (!started) out.unshift(sealer.header);
        started = true;
        cb(null, out.length ? Buffer.concat(out) : undefined);
      },
      flush(cb) {
        cb(null, started ? sealer.finish() : Buffer.concat([sealer.header, sealer.finish()]));
      },
    });
  }

  async isSealed(path: string): Promise<boolean> {
    const file = await open(path, 'r');
    try {
      const head = Buffer.alloc(SNIFF_BYTES);
      const { bytesRead } = await file.read(head, 0, head.length, 0);
      return looksSealed(head.subarray(0, bytesRead));
    } finally {
      await file.close();
    }
  }

  async openPlain(path: string): Promise<PlainFile> {
    const file = await open(path, 'r');
    try {
      const head = Buffer.alloc(Math.max(MAX_SEAL_HEADER_BYTES, SNIFF_BYTES));
      const { bytesRead } = await file.read(head, 0, head.length, 0);
      // Opaque names only (staging file names are ids and sequence numbers); never the folder, which is the data dir.
      const where = `staged file ${basename(path)}`;
      const seal = parseSealHeader(head.subarray(0, bytesRead), where);
      if (!seal) return plainHandle(file);
      const key = this.byId.get(seal.keyId);
      if (!key) {
        throw new StagedFileDamagedError('UNKNOWN_KEY', `${where} is encrypted with staging key ${seal.keyId}, which is not configured; add it to DICOM_INTAKE_STAGING_KEYS (staging.keys) to read it`);
      }
      return await SealedFileReader.open(file, seal, key, where);
    } catch (err) {
      await file.close();
      throw err;
    }
  }

  readStream(path: string): Readable {
    const openPlain = (p: string) => this.openPlain(p);
    return Readable.from(
      (async function* () {
        const file = await openPlain(path);
        try {
          const { size } = await file.stat();
          for (let at = 0; at < size; ) {
            const piece = Buffer.allocUnsafe(Math.min(READ_PIECE_BYTES, size - at));
            const { bytesRead } = await file.read(piece, 0, piece.length, at);
            if (bytesRead === 0) throw new StagedFileDamagedError('TRUNCATED', `staged file ${basename(path)} shrank while being read`);
            at += bytesRead;
            yield piece.subarray(0, bytesRead);
          }
        } finally {
          await file.close();
        }
      })(),
      { objectMode: false },
    );
  }
}

/** A plain file handle seen as a PlainFile. */
function plainHandle(file: FileHandle): PlainFile {
  return {
    read: (buffer, offset, length, position) => file.read(buffer, offset, length, position),
    stat: () => file.stat(),
    close: () => file.close(),
  };
}

/** Staging without encryption (tests and tools that handle plaintext only). */
export const PLAINTEXT_STAGING: StagedBytes = new StagingCipher();
