/**
 * The sealed (encrypted at rest) staging file format: AES-256-GCM in fixed-size authenticated chunks, so that a file
 * of any size is written and read with bounded memory, any byte range can be read without decrypting the rest, and
 * a cut or altered file is detected.
 *
 *   header:  "DISEAL01" | version (1 byte, 1) | chunk size (u32 BE) | nonce prefix (8 bytes) | key id length (1) | key id
 *   chunk i: ciphertext of plaintext bytes [i*C, (i+1)*C) | 16-byte GCM tag
 *
 * The IV of chunk i is the nonce prefix followed by i (u32 BE); the additional data is the whole header plus one
 * byte that is 1 on the last chunk only. So a chunk cannot move, a file cannot lose its tail (the new last chunk
 * was sealed as not last), and the key id, chunk size and nonce cannot be edited. An empty file is one empty
 * last chunk.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { isKeyId, type CodecKey } from '../codec/keyring';
import { StagedFileDamagedError } from '../domain/intake-errors';

/** First bytes of every sealed file. */
export const SEAL_MAGIC = Buffer.from('DISEAL01', 'latin1');
/** Plaintext bytes per chunk of the files this service writes. */
export const SEAL_CHUNK_BYTES = 64 * 1024;
const TAG_BYTES = 16;
const PREFIX_BYTES = 8;
const FIXED_HEADER_BYTES = SEAL_MAGIC.length + 1 + 4 + PREFIX_BYTES + 1;
/** Longest header: key ids are at most 64 bytes (codec/keyring.ts). */
export const MAX_SEAL_HEADER_BYTES = FIXED_HEADER_BYTES + 64;
// A DICOM Part 10 file has "DICM" at byte 128 and anything in its 128-byte preamble, the magic included; a sealed file
// holds ciphertext there. The first bytes read to tell the two apart.
const DICM_AT = 128;
export const SNIFF_BYTES = DICM_AT + 4;

/** Whether the first bytes of a file (up to {@link SNIFF_BYTES}) are those of a sealed file, not of a DICOM file. */
export function looksSealed(head: Buffer): boolean {
  if (head.length < SEAL_MAGIC.length || !head.subarray(0, SEAL_MAGIC.length).equals(SEAL_MAGIC)) return false;
  return !(head.length >= SNIFF_BYTES && head.toString('latin1', DICM_AT, SNIFF_BYTES) === 'DICM');
}

const iv = (prefix: Buffer, index: number) => {
  const out = Buffer.alloc(12);
  prefix.copy(out, 0);
  out.writeUInt32BE(index, PREFIX_BYTES);
  return out;
};
const aad = (header: Buffer, last: boolean) => Buffer.concat([header, Buffer.from([last ? 1 : 0])]);

/** Seals plaintext pushed to it in any pieces into header + chunks; holds at most one chunk of plaintext. */
export class ChunkSealer {
  /** The header; write it first. */
  readonly header: Buffer;
  private readonly prefix = randomBytes(PREFIX_BYTES);
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private index = 0;

  constructor(private readonly key: CodecKey, private readonly chunkBytes = SEAL_CHUNK_BYTES) {
    const id = Buffer.from(key.id, 'latin1');
    const fixed = Buffer.alloc(FIXED_HEADER_BYTES);
    SEAL_MAGIC.copy(fixed, 0);
    fixed[8] = 1;
    fixed.writeUInt32BE(chunkBytes, 9);
    this.prefix.copy(fixed, 13);
    fixed[21] = id.length;
    this.header = Buffer.concat([fixed, id]);
  }

  /** Sealed chunks completed by `plain` (possibly none). A full chunk is held back until more comes: it may be the last. */
  push(plain: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let rest = plain;
    if (this.pendingBytes > 0) {
      if (this.pendingBytes + rest.length <= this.chunkBytes) return this.hold(rest, out);
      // Complete the pending chunk; it is sealed only once more plaintext exists (so it is not the last).
      const need = this.chunkBytes - this.pendingBytes;
      out.push(this.seal(Buffer.concat([...this.pending, rest.subarray(0, need)], this.chunkBytes), false));
      this.pending = [];
      this.pendingBytes = 0;
      rest = rest.subarray(need);
    }
    // Whole chunks straight from the caller's buffer, all but one that may be the last.
    while (rest.length > this.chunkBytes) {
      out.push(this.seal(rest.subarray(0, this.chunkBytes), false));
      rest = rest.subarray(this.chunkBytes);
    }
    return this.hold(rest, out);
  }

  /** Keeps `rest` (at most one chunk) for later; copied, since a caller may reuse its buffer. */
  private hold(rest: Buffer, out: Buffer[]): Buffer[] {
    if (rest.length) {
      this.pending.push(Buffer.from(rest));
      this.pendingBytes += rest.length;
    }
    return out;
  }

  /** The last chunk (whatever plaintext is pending, maybe none). */
  finish(): Buffer {
    const last = this.seal(Buffer.concat(this.pending, this.pendingBytes), true);
    this.pending = [];
    this.pendingBytes = 0;
    return last;
  }

  private seal(plain: Buffer, last: boolean): Buffer {
    const cipher = createCipheriv('aes-256-gcm', this.key.key, iv(this.prefix, this.index++));
    cipher.setAAD(aad(this.header, last));
    return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  }
}

/** The parsed header of a sealed file, or undefined when `head` is a plaintext file's (see {@link looksSealed}). */
export function parseSealHeader(head: Buffer, where: string): { header: Buffer; keyId: string; chunkBytes: number; prefix: Buffer } | undefined {
  if (!looksSealed(head)) return undefined;
  if (head.length < FIXED_HEADER_BYTES) throw new StagedFileDamagedError('TRUNCATED', `${where} ends inside its encryption header`);
  const chunkBytes = head.readUInt32BE(9);
  const idLength = head[21]!;
  if (head[8] !== 1 || chunkBytes < 1024 || chunkBytes > 16 * 1024 * 1024 || idLength < 1 || idLength > 64) {
    throw new StagedFileDamagedError('BAD_HEADER', `${where} has an encryption header this version cannot read`);
  }
  if (head.length < FIXED_HEADER_BYTES + idLength) throw new StagedFileDamagedError('TRUNCATED', `${where} ends inside its encryption header`);
  const header = Buffer.from(head.subarray(0, FIXED_HEADER_BYTES + idLength));
  const keyId = header.toString('latin1', FIXED_HEADER_BYTES);
  // The id is quoted in messages (UNKNOWN_KEY): bytes that are not a key id are never shown.
  if (!isKeyId(keyId)) throw new StagedFileDamagedError('BAD_HEADER', `${where} has an encryption header this version cannot read`);
  return { header, keyId, chunkBytes, prefix: header.subarray(13, 21) };
}

/**
 * Random-access plaintext reads of a sealed file (the shape of a FileHandle the DICOM reader and writer use). Opening
 * authenticates the last chunk, so a truncated file is refused at once; every other chunk is authenticated when
 * it is read. Holds two decrypted chunks.
 */
export class SealedFileReader {
  /** Plaintext size. */
  readonly size: number;
  private readonly chunks: number;
  private readonly cache: { index: number; plain: Buffer }[] = [];

  private constructor(
    private readonly file: FileHandle,
    private readonly seal: NonNullable<ReturnType<typeof parseSealHeader>>,
    private readonly key: Buffer,
    private readonly bodyBytes: number,
    private readonly mtimeMs: number,
    private readonly where: string,
  ) {
    const stride = seal.chunkBytes + TAG_BYTES;
    this.chunks = Math.max(1, Math.ceil(bodyBytes / stride));
    const lastBytes = bodyBytes - (this.chunks - 1) * stride;
    if (lastBytes < TAG_BYTES) throw new StagedFileDamagedError('TRUNCATED', `${where} is cut short (its last encrypted chunk is incomplete)`);
    this.size = (this.chunks - 1) * seal.chunkBytes + lastBytes - TAG_BYTES;
  }

  /** Opens a sealed file whose header was parsed, with the key its header names. */
  static async open(file: FileHandle, seal: NonNullable<ReturnType<typeof parseSealHeader>>, key: Buffer, where: string): Promise<SealedFileReader> {
    const stat = await file.stat();
    const reader = new SealedFileReader(file, seal, key, stat.size - seal.header.length, stat.mtimeMs, where);
    await reader.chunk(reader.chunks - 1);
    return reader;
  }

  async stat(): Promise<{ size: number; mtimeMs: number }> {
    return { size: this.size, mtimeMs: this.mtimeMs };
  }

  /** Reads plaintext bytes [position, position + length) into `buffer` at `offset`; fewer at the end of the file. */
  async read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number; buffer: Buffer }> {
    const C = this.seal.chunkBytes;
    const end = Math.min(position + length, this.size);
    let at = position;
    while (at < end) {
      const plain = await this.chunk(Math.floor(at / C));
      const from = at % C;
      const n = Math.min(plain.length - from, end - at);
      plain.copy(buffer, offset + (at - position), from, from + n);
      at += n;
    }
    return { bytesRead: Math.max(0, end - position), buffer };
  }

  async close(): Promise<void> {
    await this.file.close();
  }

  /** The authenticated plaintext of chunk `index`. */
  async chunk(index: number): Promise<Buffer> {
    const hit = this.cache.find((c) => c.index === index);
    if (hit) return hit.plain;
    const stride = this.seal.chunkBytes + TAG_BYTES;
    const bytes = Math.min(stride, this.bodyBytes - index * stride);
    const sealed = Buffer.allocUnsafe(bytes);
    let filled = 0;
    while (filled < bytes) {
      const { bytesRead } = await this.file.read(sealed, filled, bytes - filled, this.seal.header.length + index * stride + filled);
      if (bytesRead === 0) throw new StagedFileDamagedError('TRUNCATED', `${this.where} shrank while being read`);
      filled += bytesRead;
    }
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv(this.seal.prefix, index));
    decipher.setAAD(aad(this.seal.header, index === this.chunks - 1));
    decipher.setAuthTag(sealed.subarray(bytes - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(sealed.subarray(0, bytes - TAG_BYTES)), decipher.final()]);
    } catch {
      const last = index === this.chunks - 1;
      throw new StagedFileDamagedError('NOT_AUTHENTIC', `${this.where} does not authenticate at encrypted chunk ${index + 1} of ${this.chunks} (${last ? 'cut short or altered' : 'altered'})`);
    }
    this.cache.unshift({ index, plain });
    this.cache.length = Math.min(this.cache.length, 2);
    return plain;
  }
}
