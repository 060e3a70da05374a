import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';

/** Limits applied while extracting; breaking one refuses the whole archive. */
export interface ExtractLimits {
  maxMembers: number;
  maxExpandedBytes: number;
  maxRatio: number;
}

/** One extracted member: its position in the archive, where its bytes went, their digest and size. */
export interface ExtractedMember {
  index: number;
  name: string;
  path: string;
  sha256: string;
  size: number;
}

/** The archive is unusable or breaks a limit; the message names member numbers and limits, not member names. */
export class ArchiveRefusedError extends Error {
  override readonly name = 'ArchiveRefusedError';
  constructor(message: string) {
    super(message);
  }
}

/**
 * Streams the file members of a zip to `targetFor(index)`, one at a time, never trusting member names for paths
 * (the caller names the output), refusing symlinks, absolute or `..` paths and archives over the limits.
 * Directory entries are skipped. Member names are returned so that the caller can report them to the uploader.
 */
export async function extractZip(zipPath: string, limits: ExtractLimits, targetFor: (index: number) => string): Promise<ExtractedMember[]> {
  const zip = await new Promise<yauzl.ZipFile>((res, rej) =>
    yauzl.open(zipPath, { lazyEntries: true, autoClose: true, strictFileNames: false, validateEntrySizes: true }, (err, z) =>
      err ? rej(new ArchiveRefusedError(`the upload is not a readable zip archive (${err.message})`)) : res(z!),
    ),
  );
  if (zip.entryCount > limits.maxMembers) {
    zip.close();
    throw new ArchiveRefusedError(`the archive has ${zip.entryCount} members; the limit is ${limits.maxMembers}`);
  }
  const out: ExtractedMember[] = [];
  let expanded = 0;
  let index = 0;
  return new Promise<ExtractedMember[]>((resolve, reject) => {
    const fail = (err: Error) => {
      zip.close();
      reject(err);
    };
    zip.on('error', (err: Error) => fail(new ArchiveRefusedError(`the zip archive is damaged (${err.message})`)));
    zip.on('end', () => resolve(out));
    zip.on('entry', (entry: yauzl.Entry) => {
      index++;
      const memberIndex = index;
      if (/\/$/.test(entry.fileName)) {
        zip.readEntry();
        return;
      }
      const mode = (entry.externalFileAttributes >>> 16) & 0o170000;
      if (mode === 0o120000) return fail(new ArchiveRefusedError(`member #${memberIndex} is a symbolic link; links are refused`));
      if (entry.fileName.startsWith('/') || entry.fileName.split(/[\\/]/).includes('..')) {
        return fail(new ArchiveRefusedError(`member #${memberIndex} has an absolute or '..' path; such paths are refused`));
      }
      if (entry.compressedSize > 0 && entry.uncompressedSize / entry.compressedSize > limits.maxRatio) {
        return fail(new ArchiveRefusedError(`member #${memberIndex} expands ${Math.round(entry.uncompressedSize / entry.compressedSize)}x; the limit is ${limits.maxRatio}x`));
      }
      expanded += entry.uncompressedSize;
      if (expanded > limits.maxExpandedBytes) {
        return fail(new ArchiveRefusedError(`the archive expands past ${limits.maxExpandedBytes} bytes, the configured limit`));
      }
      const target = targetFor(memberIndex);
      zip.openReadStream(entry, (err, stream) => {
        if (err || !stream) return fail(new ArchiveRefusedError(`member #${memberIndex} cannot be read (${err?.message})`));
        const hash = createHash('sha256');
        let size = 0;
        const count = new Transform({
          transform(chunk: Buffer, _enc, cb) {
            hash.update(chunk);
            size += chunk.length;
            cb(null, chunk);
          },
        });
        mkdir(dirname(target), { recursive: true })
          .then(() => pipeline(stream, count, createWriteStream(target)))
          .then(() => {
            out.push({ index: memberIndex, name: entry.fileName, path: target, sha256: hash.digest('hex'), size });
            zip.readEntry();
          })
          .catch((e: Error) => fail(new ArchiveRefusedError(`member #${memberIndex} cannot be extracted (${e.message})`)));
      });
    });
    zip.readEntry();
  });
}

/** The name of member `index` (1-based, as in errors) of a zip, for telling the uploader which member failed. */
export async function zipMemberName(zipPath: string, index: number): Promise<string | undefined> {
  const zip = await new Promise<yauzl.ZipFile>((res, rej) => yauzl.open(zipPath, { lazyEntries: true }, (err, z) => (err ? rej(err) : res(z!))));
  return new Promise((resolve) => {
    let i = 0;
    zip.on('entry', (e: yauzl.Entry) => {
      i++;
      if (i === index) {
        zip.close();
        resolve(e.fileName);
      } else zip.readEntry();
    });
    zip.on('end', () => resolve(undefined));
    zip.on('error', () => resolve(undefined));
    zip.readEntry();
  });
}
