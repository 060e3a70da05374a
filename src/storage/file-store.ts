import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import { PLAINTEXT_STAGING, type PlainFile, type StagedBytes } from './staging-cipher';

/** The areas of the file store. Raw bytes live only in staging, under opaque upload ids. */
export const AREAS = ['staging', 'prearchive', 'archive', 'quarantine'] as const;
/** One area of the store. */
export type Area = (typeof AREAS)[number];

/**
 * The file store under the data folder. Object keys are paths relative to it ("archive/P/S/E/scans/1/x.dcm").
 * Moves are renames inside one file system, so a file is always either at its old or its new key, never half.
 */
export class FileStore {
  /**
   * `staged` writes and reads the raw bytes (staging before the site pass, and quarantine): encrypted at rest when
   * a staging key is configured.
   */
  constructor(readonly root: string, readonly staged: StagedBytes = PLAINTEXT_STAGING) {}

  /** Opens a staged (raw) file for plaintext reads, whether it was sealed or not; pass it to openDicom as `open`. */
  readonly openStaged = (path: string): Promise<PlainFile> => this.staged.openPlain(path);

  /** Creates the area folders. */
  async init(): Promise<void> {
    await Promise.all(AREAS.map((a) => mkdir(join(this.root, a), { recursive: true })));
  }

  /** Absolute path of an object key; refuses keys that would leave the store. */
  path(key: string): string {
    const p = join(this.root, key);
    if (relative(this.root, p).startsWith('..')) throw new Error(`object key escapes the store: ${key}`);
    return p;
  }

  /** Key of a path inside the store. */
  keyOf(path: string): string {
    return relative(this.root, path).split(sep).join('/');
  }

  /** Staging folder of one upload: staging/<uploadId>/... */
  stagingKey(uploadId: string, ...parts: string[]): string {
    return ['staging', uploadId, ...parts].join('/');
  }

  /** Quarantine folder of one upload. */
  quarantineKey(uploadId: string, ...parts: string[]): string {
    return ['quarantine', uploadId, ...parts].join('/');
  }

  /** Archive key of one instance file; labels must already be sanitized (they are post-anonymization labels). */
  archiveKey(projectId: string, subject: string, session: string, scanLabel: string, fileName: string): string {
    return ['archive', projectId, subject, session, 'scans', scanLabel, fileName].join('/');
  }

  async exists(key: string): Promise<boolean> {
    return stat(this.path(key)).then(
      () => true,
      () => false,
    );
  }

  /** Writes bytes durably: temp file, fsync, rename, fsync of the folder. */
  async writeDurable(key: string, data: Buffer | string): Promise<void> {
    const target = this.path(key);
    await mkdir(dirname(target), { recursive: true });
    const tmp = `${target}.part`;
    await writeFile(tmp, data);
    const fh = await open(tmp, 'r');
    await fh.sync();
    await fh.close();
    await rename(tmp, target);
    await this.syncDir(dirname(target));
  }

  /** Moves an object to a new key (rename; both keys inside the store), creating the target folder. */
  async move(fromKey: string, toKey: string): Promise<void> {
    const to = this.path(toKey);
    await mkdir(dirname(to), { recursive: true });
    await rename(this.path(fromKey), to);
    await this.syncDir(dirname(to));
  }

  /** Plaintext size of a staged file, sealed or not. */
  async stagedSize(path: string): Promise<number> {
    const file = await this.staged.openPlain(path);
    try {
      return (await file.stat()).size;
    } finally {
      await file.close();
    }
  }

  /**
   * Moves a staged file out of raw staging (to a stage after the site pass): a rename when it is plaintext, else
   * its plaintext is written durably to `toKey` (every chunk authenticated on the way) and the sealed file removed.
   */
  async unsealMove(fromKey: string, toKey: string): Promise<void> {
    if (!(await this.staged.isSealed(this.path(fromKey)))) return this.move(fromKey, toKey);
    const to = this.path(toKey);
    await mkdir(dirname(to), { recursive: true });
    const tmp = `${to}.part`;
    try {
      await pipeline(this.staged.readStream(this.path(fromKey)), createWriteStream(tmp));
      const fh = await open(tmp, 'r');
      await fh.sync();
      await fh.close();
    } catch (err) {
      // A file that stops authenticating half way must not leave its first chunks behind in plaintext.
      await rm(tmp, { force: true });
      throw err;
    }
    await rename(tmp, to);
    await this.syncDir(dirname(to));
    await rm(this.path(fromKey), { force: true });
  }

  /** Removes a key (file or folder); a missing key is fine. */
  async remove(key: string): Promise<void> {
    await rm(this.path(key), { recursive: true, force: true });
  }

  /** Lists the files below a key, as keys, sorted. */
  async list(key: string): Promise<string[]> {
    const base = this.path(key);
    const out: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const p = join(dir, e.name);
        if (e.isDirectory()) await walk(p);
        else out.push(this.keyOf(p));
      }
    };
    await walk(base);
    return out.sort();
  }

  /** sha256 and size of a stored object. */
  async digest(key: string): Promise<{ sha256: string; size: number }> {
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of createReadStream(this.path(key))) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    return { sha256: hash.digest('hex'), size };
  }

  private async syncDir(dir: string): Promise<void> {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
}
