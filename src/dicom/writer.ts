/**
 * Writes an edited file: new bytes where the editor changed something, every other byte copied from the input by
 * ranges (pixel data streamed in chunks, never held whole). Atomic: `<out>.part`, fsync, rename, fsync of the folder.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ByteSource, RandomAccessFile } from './byte-source';
import type { DicomEditor } from './editor';
import { DicomEditError } from './errors';
import type { DicomFileIndex } from './reader';
import { planWrite, type WritePiece } from './write-plan';

/** Bytes copied per read when the writers copy unchanged ranges from the input (also src/cli/sync-file-io.ts). */
export const COPY_CHUNK_BYTES = 4 * 1024 * 1024;

/** SOURCE_CHANGED: the input is not the file that was read (`changed`), or ended early while copied (`shrank`). */
export function sourceChanged(path: string, how: 'changed' | 'shrank'): DicomEditError {
  return new DicomEditError('SOURCE_CHANGED', how === 'changed' ? `the input file ${path} changed after it was read; read it again` : `the input file ${path} shrank while being copied`);
}

/** Size and SHA-256 (hex; '' when not computed, see WriteOptions.hash) of a written file. */
export interface WrittenFile {
  readonly sha256: string;
  readonly size: number;
}

/** How to write. */
export interface WriteOptions {
  /**
   * fsync the file and its folder before returning (default true): the service acknowledges and deletes inputs
   * only after this. An offline batch (the `anonymize` CLI) may skip it, as cp and other tools do.
   */
  readonly durable?: boolean;
  /**
   * Compute the output's SHA-256 (default true; the service records it). When false, `sha256` is '' and the
   * bytes are not hashed, which saves most of the time of copying a large file.
   */
  readonly hash?: boolean;
}

/** Writes the editor's file to `outPath` atomically and returns its SHA-256 and size. */
export async function writeEditedFile(editor: DicomEditor, outPath: string, options: WriteOptions = {}): Promise<WrittenFile> {
  const durable = options.durable ?? true;
  const index = editor.index;
  const pieces = planWrite(editor);
  // A file whose bytes are all held in memory (most files below pixel data size; a small file is read whole) is
  // written from them: reopening, checking and re-reading the input cost as much as parsing it. Bytes from one read
  // cannot mix two versions of the input, so the SOURCE_CHANGED check is needed only when copying from disk.
  const inMemory = assembleInMemory(pieces, index);
  if (inMemory !== undefined) return writeWhole(inMemory, outPath, durable, options.hash !== false);
  // A file converted on read (big endian, deflated, no File Meta) is copied from its converted bytes in memory.
  const file = index.converted === undefined ? await index.open(index.path) : undefined;
  const input: ByteSource = file ?? index.converted!.source;
  const partPath = `${outPath}.part`;
  let output: Awaited<ReturnType<typeof open>> | undefined;
  try {
    if (file !== undefined) await assertUnchanged(file, index);
    output = await open(partPath, 'w');
    const hash = options.hash === false ? undefined : createHash('sha256');
    const total = pieces.reduce((sum, p) => sum + (p.kind === 'copy' ? p.to - p.from : p.bytes.length), 0);
    const small = total <= COPY_CHUNK_BYTES;
    // Large files: two buffers, sized to the largest copied range; the next read fills one while the other is
    // hashed and written.
    const largest = pieces.reduce((m, p) => (p.kind === 'copy' ? Math.max(m, p.to - p.from) : m), 0);
    const chunkBytes = small ? 0 : Math.min(COPY_CHUNK_BYTES, largest);
    const buffers = [Buffer.allocUnsafe(chunkBytes), Buffer.allocUnsafe(chunkBytes)];
    let size = 0;
    const emit = async (bytes: Buffer): Promise<void> => {
      hash?.update(bytes);
      let written = 0;
      while (written < bytes.length) written += (await output!.write(bytes, written, bytes.length - written)).bytesWritten;
      size += bytes.length;
    };
    if (small) {
      // A small file is assembled in memory and written with one call: per-call latency, not bandwidth, dominates.
      const whole = Buffer.allocUnsafe(total);
      let at = 0;
      for (const piece of pieces) {
        if (piece.kind === 'bytes') {
          piece.bytes.copy(whole, at);
          at += piece.bytes.length;
          continue;
        }
        for (let pos = piece.from; pos < piece.to; ) {
          const { bytesRead } = await input.read(whole, at, piece.to - pos, pos);
          if (bytesRead === 0) throw sourceChanged(index.path, 'shrank');
          pos += bytesRead;
          at += bytesRead;
        }
      }
      await emit(whole);
    }
    for (const piece of small ? [] : pieces) {
      if (piece.kind === 'bytes') {
        await emit(piece.bytes);
        continue;
      }
      let pos = piece.from;
      let current = 0;
      const readAt = (at: number, buffer: Buffer) => input.read(buffer, 0, Math.min(chunkBytes, piece.to - at), at);
      let pending = pos < piece.to ? readAt(pos, buffers[current]!) : undefined;
      while (pending !== undefined) {
        const { bytesRead } = await pending;
        if (bytesRead === 0) throw sourceChanged(index.path, 'shrank');
        const filled = buffers[current]!;
        pos += bytesRead;
        current ^= 1;
        pending = pos < piece.to ? readAt(pos, buffers[current]!) : undefined;
        await emit(filled.subarray(0, bytesRead));
      }
    }
    if (durable) await output.sync();
    await output.close();
    output = undefined;
    await rename(partPath, outPath);
    if (durable) await syncDirectory(dirname(outPath));
    return { sha256: hash?.digest('hex') ?? '', size };
  } catch (e) {
    await output?.close().catch(() => undefined);
    await unlink(partPath).catch(() => undefined);
    throw e;
  } finally {
    await input.close();
  }
}

/** Throws SOURCE_CHANGED when the input file is not the one that was read (another size or modification time). */
async function assertUnchanged(input: RandomAccessFile, index: DicomFileIndex): Promise<void> {
  const stat = await input.stat();
  if (stat.size !== index.fileSize || stat.mtimeMs !== index.mtimeMs) {
    throw sourceChanged(index.path, 'changed');
  }
}

/** The whole output when every copied range is held in memory and it is small; undefined otherwise. */
function assembleInMemory(pieces: readonly WritePiece[], index: DicomFileIndex): Buffer | undefined {
  const parts = heldParts(pieces, index, COPY_CHUNK_BYTES);
  return parts === undefined ? undefined : Buffer.concat(parts);
}

/** The pieces as buffers when every copied range is held in memory and the total is at most `maxBytes`. */
function heldParts(pieces: readonly WritePiece[], index: DicomFileIndex, maxBytes: number): Buffer[] | undefined {
  let total = 0;
  const parts: Buffer[] = [];
  for (const piece of pieces) {
    const bytes = piece.kind === 'bytes' ? piece.bytes : index.loadedRange(piece.from, piece.to);
    if (bytes === undefined) return undefined;
    total += bytes.length;
    if (total > maxBytes) return undefined;
    parts.push(bytes);
  }
  return parts;
}

/** A range of the input file that the output copies as it is and that is not held in memory. */
export interface InputRange {
  readonly from: number;
  readonly to: number;
}

/**
 * The edited file, in order, as buffers (views of the input where unchanged and held in memory, new bytes where
 * edited) and ranges still to be copied from the input file, for a caller that writes it itself (the offline batch,
 * src/cli/sync-file-io.ts). For an input converted on read, whose unchanged bytes are those of the converted copy
 * and not of the file: buffers only, or undefined when some of them are not held in memory.
 */
export function editedFileParts(editor: DicomEditor): Array<Buffer | InputRange> | undefined {
  const index = editor.index;
  if (index.converted !== undefined) return heldParts(planWrite(editor), index, Number.MAX_SAFE_INTEGER);
  return planWrite(editor).map((piece) => (piece.kind === 'bytes' ? piece.bytes : (index.loadedRange(piece.from, piece.to) ?? { from: piece.from, to: piece.to })));
}

/** Writes one buffer to `outPath` atomically (see writeEditedFile). */
async function writeWhole(bytes: Buffer, outPath: string, durable: boolean, hash: boolean): Promise<WrittenFile> {
  const partPath = `${outPath}.part`;
  const output = await open(partPath, 'w');
  try {
    let written = 0;
    while (written < bytes.length) written += (await output.write(bytes, written, bytes.length - written)).bytesWritten;
    if (durable) await output.sync();
  } catch (e) {
    await output.close().catch(() => undefined);
    await unlink(partPath).catch(() => undefined);
    throw e;
  }
  try {
    await output.close();
    await rename(partPath, outPath);
  } catch (e) {
    await unlink(partPath).catch(() => undefined);
    throw e;
  }
  if (durable) await syncDirectory(dirname(outPath));
  return { sha256: hash ? createHash('sha256').update(bytes).digest('hex') : '', size: bytes.length };
}

/** Makes a rename durable: on Linux the new directory entry survives a crash only once the folder is synced. */
async function syncDirectory(path: string): Promise<void> {
  const dir = await open(path, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/** The SHA-256 (hex) of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: COPY_CHUNK_BYTES })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
