import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type yauzl from 'yauzl';
import { looksLikeArchive, refusedName, SNIFF_BYTES } from './archive-member-guard';
import { ArchiveRefusedError, type ExtractedMember, type ExtractLimits } from './archive-limits';
import { extractTar, tarMemberName } from './tar-extract';
import { PLAINTEXT_STAGING, type StagedBytes } from './staging-cipher';
import { openZip } from './zip-open';

export { ArchiveRefusedError, type ExtractedMember, type ExtractLimits } from './archive-limits';

/** The archive formats an upload may use. */
export const ARCHIVE_FORMATS = ['zip', 'tar', 'tar.gz'] as const;
/** One archive format. */
export type ArchiveFormat = (typeof ARCHIVE_FORMATS)[number];

/** The format of an uploaded archive, from its first bytes (never from a file name or a header the client sent). */
export async function detectArchiveFormat(path: string, staged: StagedBytes = PLAINTEXT_STAGING): Promise<ArchiveFormat | undefined> {
  const fh = await staged.openPlain(path);
  try {
    const head = Buffer.alloc(512);
    const { bytesRead } = await fh.read(head, 0, 512, 0);
    if (bytesRead >= 4 && head.readUInt32LE(0) === 0x04034b50) return 'zip';
    if (bytesRead >= 4 && head.readUInt32LE(0) === 0x06054b50) return 'zip'; // an empty zip
    if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'tar.gz';
    if (bytesRead === 512 && head.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
    return undefined;
  } finally {
    await fh.close();
  }
}

/**
 * Extracts a zip, tar or tar.gz upload member by member to `targetFor(index)`, with the same refusals for all three
 * formats: links, absolute or `..` names, nested archives, too many members, too many bytes, too high a ratio.
 * `staged` reads the upload and writes the members (encrypted at rest when a staging key is configured).
 */
export async function extractArchive(path: string, limits: ExtractLimits, targetFor: (index: number) => string, staged: StagedBytes = PLAINTEXT_STAGING): Promise<ExtractedMember[]> {
  const format = await detectArchiveFormat(path, staged);
  if (format === 'zip') return extractZip(path, limits, targetFor, staged);
  if (format === 'tar' || format === 'tar.gz') return extractTar(path, format === 'tar.gz', limits, targetFor, staged);
  throw new ArchiveRefusedError('the upload is not a zip, tar or tar.gz archive');
}

/** The name of member `index` (1-based, as in errors) of an uploaded archive of any accepted format. */
export async function archiveMemberName(path: string, index: number, staged: StagedBytes = PLAINTEXT_STAGING): Promise<string | undefined> {
  const format = await detectArchiveFormat(path, staged).catch(() => undefined);
  if (format === 'zip') return zipMemberName(path, index, staged);
  if (format === 'tar' || format === 'tar.gz') return tarMemberName(path, format === 'tar.gz', index, staged);
  return undefined;
}

/**
 * Streams the file members of a zip to `targetFor(index)`, one at a time, never trusting member names for paths
 * (the caller names the output), refusing symlinks, absolute or `..` paths and archives over the limits.
 * Directory entries are skipped. Member names are returned so that the caller can report them to the uploader.
 */
export async function extractZip(zipPath: string, limits: ExtractLimits, targetFor: (index: number) => string, staged: StagedBytes = PLAINTEXT_STAGING): Promise<ExtractedMember[]> {
  const zip = await openZip(zipPath, { lazyEntries: true, autoClose: true, strictFileNames: false, validateEntrySizes: true }, staged).catch((err: Error) => {
    throw err.name === 'StagedFileDamagedError' ? err : new ArchiveRefusedError(`the upload is not a readable zip archive (${err.message})`);
  });
  if (zip.entryCount > limits.maxMembers) {
    zip.close();
    throw new ArchiveRefusedError(`the archive has ${zip.entryCount} members; the limit is ${limits.maxMembers} (limits.archiveMaxMembers)`);
  }
  const out: ExtractedMember[] = [];
  let expanded = 0;
  let index = 0;
  return new Promise<ExtractedMember[]>((resolve, reject) => {
    const fail = (err: Error) => {
      zip.close();
      reject(err);
    };
    // A staged upload that does not decrypt is a damaged staging file, not a bad archive from the uploader.
    zip.on('error', (err: Error) => fail(err.name === 'StagedFileDamagedError' ? err : new ArchiveRefusedError(`the zip archive is damaged (${err.message})`)));
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
      const badName = refusedName(entry.fileName);
      if (badName) return fail(new ArchiveRefusedError(`member #${memberIndex} ${badName}`));
      if (entry.compressedSize > 0 && entry.uncompressedSize / entry.compressedSize > limits.maxRatio) {
        return fail(new ArchiveRefusedError(`member #${memberIndex} expands ${Math.round(entry.uncompressedSize / entry.compressedSize)}x; the limit is ${limits.maxRatio}x (limits.archiveMaxRatio)`));
      }
      expanded += entry.uncompressedSize;
      if (expanded > limits.maxExpandedBytes) {
        return fail(new ArchiveRefusedError(`the archive expands past ${limits.maxExpandedBytes} bytes, the configured limit (limits.archiveMaxExpandedBytes)`));
      }
      const target = targetFor(memberIndex);
      zip.openReadStream(entry, (err, stream) => {
        if (err || !stream) return fail(new ArchiveRefusedError(`member #${memberIndex} cannot be read (${err?.message})`));
        const hash = createHash('sha256');
        let size = 0;
        let head = Buffer.alloc(0);
        const count = new Transform({
          transform(chunk: Buffer, _enc, cb) {
            if (head.length < SNIFF_BYTES) {
              head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES - head.length)]);
              if ((head.length >= SNIFF_BYTES || size + chunk.length === entry.uncompressedSize) && looksLikeArchive(head)) {
                return cb(new ArchiveRefusedError(`member #${memberIndex} is itself an archive (nested archives are refused)`));
              }
            }
            hash.update(chunk);
            size += chunk.length;
            cb(null, chunk);
          },
        });
        mkdir(dirname(target), { recursive: true })
          .then(() => pipeline(stream, count, staged.sealStream(), createWriteStream(target)))
          .then(() => {
            out.push({ index: memberIndex, name: entry.fileName, path: target, sha256: hash.digest('hex'), size });
            zip.readEntry();
          })
          .catch((e: Error) => fail(e instanceof ArchiveRefusedError || e.name === 'StagedFileDamagedError' ? e : new ArchiveRefusedError(`member #${memberIndex} cannot be extracted (${e.message})`)));
      });
    });
    zip.readEntry();
  });
}

/** The name of member `index` (1-based, as in errors) of a zip, for telling the uploader which member failed. */
export async function zipMemberName(zipPath: string, index: number, staged: StagedBytes = PLAINTEXT_STAGING): Promise<string | undefined> {
  const zip = await openZip(zipPath, { lazyEntries: true }, staged);
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
