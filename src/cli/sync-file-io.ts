/**
 * Synchronous file I/O for the offline batch (`dicom-intake anonymize`): a small file is read with one call and its
 * output written with one vectored call, then renamed into place; a large file's unchanged ranges (pixel data) are
 * copied from the input in 4 MiB chunks. The promise API's per-call cost (file handles, thread-pool round trips)
 * was larger than the work itself for small files, and left the thread idle between chunks of large ones; a batch
 * has nothing else to do meanwhile. The service keeps the asynchronous writer (src/dicom/writer.ts).
 */
import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readSync, renameSync, unlinkSync, writeSync, writevSync } from 'node:fs';
import { dirname } from 'node:path';
import { COPY_CHUNK_BYTES, sourceChanged, type InputRange } from '../dicom';

/** The input file that ranges are copied from, as it was when read. */
export interface RangeSource {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/** A file's bytes and the modification time they were read at. */
export interface WholeFile {
  readonly bytes: Buffer;
  readonly mtimeMs: number;
}

/** Reads `path` whole when it is a regular file of at most `maxBytes`; undefined when it is larger. */
export function readWholeFileSync(path: string, maxBytes: number): WholeFile | undefined {
  const fd = openSync(path, 'r');
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size > maxBytes) return undefined;
    const bytes = Buffer.allocUnsafe(stat.size);
    let filled = 0;
    while (filled < bytes.length) {
      const n = readSync(fd, bytes, filled, bytes.length - filled, filled);
      if (n === 0) break; // shrank meanwhile: what was read is what the file now holds
      filled += n;
    }
    return { bytes: filled === bytes.length ? bytes : bytes.subarray(0, filled), mtimeMs: stat.mtimeMs };
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes `parts` to `outPath` atomically: `<out>.part`, then a rename, so a reader never sees half a file and a
 * failure leaves nothing behind. The folder is created when missing. `durable`: fsync the file and its folder.
 * Ranges are copied from `source`, which must still be the file that was read (else SOURCE_CHANGED).
 */
export function writeFileAtomicSync(outPath: string, parts: ReadonlyArray<Buffer | InputRange>, durable: boolean, source?: RangeSource): number {
  const input = parts.some((p) => !Buffer.isBuffer(p)) ? openSource(source) : undefined;
  try {
    return writeAtomic(outPath, parts, durable, input);
  } finally {
    if (input !== undefined) closeSync(input.fd);
  }
}

function openSource(source: RangeSource | undefined): { fd: number; path: string } {
  if (source === undefined) throw new Error('internal: ranges to copy but no input file');
  const fd = openSync(source.path, 'r');
  const stat = fstatSync(fd);
  if (stat.size !== source.size || stat.mtimeMs !== source.mtimeMs) {
    closeSync(fd);
    throw sourceChanged(source.path, 'changed');
  }
  return { fd, path: source.path };
}

function writeAtomic(outPath: string, parts: ReadonlyArray<Buffer | InputRange>, durable: boolean, input: { fd: number; path: string } | undefined): number {
  const partPath = `${outPath}.part`;
  let fd: number;
  try {
    fd = openSync(partPath, 'w');
  } catch (e) {
    // Checked on failure only: a batch writes many files into the same few folders.
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    mkdirSync(dirname(outPath), { recursive: true });
    fd = openSync(partPath, 'w');
  }
  let size = 0;
  try {
    size = writeParts(fd, parts, input);
    if (durable) fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(partPath, outPath);
  } catch (e) {
    if (fd >= 0) closeSync(fd);
    try {
      unlinkSync(partPath);
    } catch {
      // already gone
    }
    throw e;
  }
  if (durable) syncDirectory(dirname(outPath));
  return size;
}

/** Runs of buffers in one vectored write each; ranges copied from the input through one reused chunk. */
function writeParts(fd: number, parts: ReadonlyArray<Buffer | InputRange>, input: { fd: number; path: string } | undefined): number {
  let size = 0;
  let run: Buffer[] = [];
  let chunk: Buffer | undefined;
  for (const part of parts) {
    if (Buffer.isBuffer(part)) {
      run.push(part);
      continue;
    }
    if (run.length > 0) size += writeAll(fd, run);
    run = [];
    chunk ??= Buffer.allocUnsafe(Math.min(COPY_CHUNK_BYTES, largestRange(parts)));
    for (let pos = part.from; pos < part.to; ) {
      const n = readSync(input!.fd, chunk, 0, Math.min(chunk.length, part.to - pos), pos);
      if (n === 0) throw sourceChanged(input!.path, 'shrank');
      size += writeAll(fd, [n === chunk.length ? chunk : chunk.subarray(0, n)]);
      pos += n;
    }
  }
  if (run.length > 0) size += writeAll(fd, run);
  return size;
}

function largestRange(parts: ReadonlyArray<Buffer | InputRange>): number {
  return parts.reduce((m, p) => (Buffer.isBuffer(p) ? m : Math.max(m, p.to - p.from)), 0);
}

/** One vectored write; a short write (rare on regular files) is finished with plain writes. */
function writeAll(fd: number, parts: readonly Buffer[]): number {
  const total = parts.reduce((sum, p) => sum + p.length, 0);
  let written = writevSync(fd, parts as Buffer[]);
  if (written === total) return total;
  let skip = written;
  for (const part of parts) {
    if (skip >= part.length) {
      skip -= part.length;
      continue;
    }
    for (let at = skip; at < part.length; ) {
      const n = writeSync(fd, part, at, part.length - at);
      at += n;
      written += n;
    }
    skip = 0;
  }
  return written;
}

function syncDirectory(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
