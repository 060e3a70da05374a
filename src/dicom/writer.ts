/**
 * Writes an edited file: new bytes where the editor changed something, every other byte copied from the input by
 * ranges (pixel data streamed in chunks, never held whole). Atomic: `<out>.part`, fsync, rename, fsync of the folder.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DicomEditor } from './editor';
import { DicomEditError } from './errors';
import { planWrite } from './write-plan';

const COPY_CHUNK_BYTES = 1024 * 1024;

/** Size and SHA-256 (hex) of a written file. */
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
}

/** Writes the editor's file to `outPath` atomically and returns its SHA-256 and size. */
export async function writeEditedFile(editor: DicomEditor, outPath: string, options: WriteOptions = {}): Promise<WrittenFile> {
  const durable = options.durable ?? true;
  const index = editor.index;
  const pieces = planWrite(editor);
  const input = await open(index.path, 'r');
  const partPath = `${outPath}.part`;
  let output: Awaited<ReturnType<typeof open>> | undefined;
  try {
    const stat = await input.stat();
    if (stat.size !== index.fileSize || stat.mtimeMs !== index.mtimeMs) {
      throw new DicomEditError('SOURCE_CHANGED', `the input file ${index.path} changed after it was read; read it again`);
    }
    output = await open(partPath, 'w');
    const hash = createHash('sha256');
    const chunk = Buffer.allocUnsafe(COPY_CHUNK_BYTES);
    let size = 0;
    const emit = async (bytes: Buffer): Promise<void> => {
      hash.update(bytes);
      let written = 0;
      while (written < bytes.length) written += (await output!.write(bytes, written, bytes.length - written)).bytesWritten;
      size += bytes.length;
    };
    for (const piece of pieces) {
      if (piece.kind === 'bytes') {
        await emit(piece.bytes);
        continue;
      }
      for (let pos = piece.from; pos < piece.to; ) {
        const { bytesRead } = await input.read(chunk, 0, Math.min(COPY_CHUNK_BYTES, piece.to - pos), pos);
        if (bytesRead === 0) throw new DicomEditError('SOURCE_CHANGED', `the input file ${index.path} shrank while being copied`);
        await emit(chunk.subarray(0, bytesRead));
        pos += bytesRead;
      }
    }
    if (durable) await output.sync();
    await output.close();
    output = undefined;
    await rename(partPath, outPath);
    if (durable) await syncDirectory(dirname(outPath));
    return { sha256: hash.digest('hex'), size };
  } catch (e) {
    await output?.close().catch(() => undefined);
    await unlink(partPath).catch(() => undefined);
    throw e;
  } finally {
    await input.close();
  }
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
