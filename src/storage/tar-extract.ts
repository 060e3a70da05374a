import { createHash } from 'node:crypto';
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { looksLikeArchive, refusedName, SNIFF_BYTES } from './archive-member-guard';
import { ArchiveRefusedError, type ExtractedMember, type ExtractLimits } from './archive-limits';
import { PLAINTEXT_STAGING, type StagedBytes } from './staging-cipher';
import { readTar, TarFormatError } from './tar-reader';

// A whole-archive ratio is judged only after this much output: tiny archives have meaningless ratios.
const RATIO_FLOOR_BYTES = 1024 * 1024;

/**
 * Streams the regular files of a tar or tar.gz archive to `targetFor(index)`, never using member names as paths.
 * Refuses links, devices, `..` and absolute names, nested archives, and archives over the limits; for tar.gz the
 * expanded/compressed ratio is checked on the whole stream as it is read (tar has no per-member compression).
 */
export async function extractTar(archivePath: string, gzip: boolean, limits: ExtractLimits, targetFor: (index: number) => string, staged: StagedBytes = PLAINTEXT_STAGING): Promise<ExtractedMember[]> {
  let compressed = 0;
  let expanded = 0;
  const countIn = new Transform({
    transform(chunk: Buffer, _e, cb) {
      compressed += chunk.length;
      cb(null, chunk);
    },
  });
  const countOut = new Transform({
    transform(chunk: Buffer, _e, cb) {
      expanded += chunk.length;
      if (gzip && expanded > RATIO_FLOOR_BYTES && expanded / Math.max(compressed, 1) > limits.maxRatio) {
        cb(new ArchiveRefusedError(`the archive expands more than ${limits.maxRatio}x, the configured limit (limits.archiveMaxRatio)`));
      } else if (expanded > limits.maxExpandedBytes + limits.maxMembers * 1536) {
        // Headers and padding aside, more output than the byte limit allows: stop reading.
        cb(new ArchiveRefusedError(`the archive expands past ${limits.maxExpandedBytes} bytes, the configured limit (limits.archiveMaxExpandedBytes)`));
      } else cb(null, chunk);
    },
  });
  const file = staged.readStream(archivePath);
  // A staged upload that does not decrypt ends the extraction with its own error (not a damaged gzip or tar).
  file.on('error', (e) => countIn.destroy(e));
  let stream = file.pipe(countIn);
  if (gzip) {
    const gunzip = createGunzip();
    countIn.on('error', (e) => gunzip.destroy(e));
    stream = stream.pipe(gunzip);
  }
  const out = stream.pipe(countOut);
  stream.on('error', (e) => out.destroy(e));

  const members: ExtractedMember[] = [];
  try {
    for await (const entry of readTar(out)) {
      if (entry.index > limits.maxMembers) throw new ArchiveRefusedError(`the archive has more than ${limits.maxMembers} members, the configured limit (limits.archiveMaxMembers)`);
      if (entry.type === '5') continue;
      if (entry.type === '1' || entry.type === '2') throw new ArchiveRefusedError(`member #${entry.index} is a ${entry.type === '1' ? 'hard' : 'symbolic'} link; links are refused`);
      if (entry.type !== '0' && entry.type !== '7') throw new ArchiveRefusedError(`member #${entry.index} is not a regular file (tar type '${entry.type}'); only files and folders are accepted`);
      const bad = refusedName(entry.name);
      if (bad) throw new ArchiveRefusedError(`member #${entry.index} ${bad}`);
      const sum = members.reduce((n, m) => n + m.size, 0) + entry.size;
      if (sum > limits.maxExpandedBytes) throw new ArchiveRefusedError(`the archive expands past ${limits.maxExpandedBytes} bytes, the configured limit (limits.archiveMaxExpandedBytes)`);
      const target = targetFor(entry.index);
      await mkdir(dirname(target), { recursive: true });
      const fh = await open(target, 'w');
      const hash = createHash('sha256');
      let size = 0;
      let head = Buffer.alloc(0);
      const sealer = staged.sealer();
      const write = async (bytes: Buffer[]) => {
        for (const b of bytes) await fh.write(b);
      };
      try {
        if (sealer) await write([sealer.header]);
        for await (const chunk of entry.body()) {
          if (head.length < SNIFF_BYTES) {
            head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES - head.length)]);
            if ((head.length >= SNIFF_BYTES || size + chunk.length === entry.size) && looksLikeArchive(head)) {
              throw new ArchiveRefusedError(`member #${entry.index} is itself an archive (nested archives are refused)`);
            }
          }
          hash.update(chunk);
          size += chunk.length;
          await write(sealer ? sealer.push(chunk) : [chunk]);
        }
        if (sealer) await write([sealer.finish()]);
      } finally {
        await fh.close();
      }
      members.push({ index: entry.index, name: entry.name, path: target, sha256: hash.digest('hex'), size });
    }
  } catch (err) {
    file.destroy();
    if (err instanceof ArchiveRefusedError) throw err;
    if (err instanceof TarFormatError) throw new ArchiveRefusedError(err.message);
    if ((err as NodeJS.ErrnoException).code === 'Z_DATA_ERROR' || (err as NodeJS.ErrnoException).code === 'Z_BUF_ERROR') {
      throw new ArchiveRefusedError('the gzip stream is damaged');
    }
    throw err;
  }
  return members;
}

/** The name of entry `index` (1-based) of a tar or tar.gz archive, for telling the uploader which member failed. */
export async function tarMemberName(archivePath: string, gzip: boolean, index: number, staged: StagedBytes = PLAINTEXT_STAGING): Promise<string | undefined> {
  const file = staged.readStream(archivePath);
  const source = gzip ? file.pipe(createGunzip()) : file;
  try {
    for await (const entry of readTar(source)) if (entry.index === index) return entry.name;
  } catch {
    return undefined;
  } finally {
    file.destroy();
  }
  return undefined;
}
