/**
 * Synchronous whole-file I/O for the offline batch (`dicom-intake anonymize`): a small file is read with one call
 * and its output written with one vectored call, then renamed into place. For files this size the promise API's
 * per-call cost (file handles, thread-pool round trips) was larger than the work itself; a batch has nothing else
 * to do meanwhile. Large files keep the streaming path (src/dicom/writer.ts).
 */
import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readSync, renameSync, unlinkSync, writeSync, writevSync } from 'node:fs';
import { dirname } from 'node:path';

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
 */
export function writeFileAtomicSync(outPath: string, parts: readonly Buffer[], durable: boolean): number {
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
    size = writeAll(fd, parts);
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
