import { createHash } from 'node:crypto';
import { close, fsync, mkdir, open, rename, rm, write } from 'node:fs';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import type { ChunkSealer } from '../storage/sealed-file';

/** Where a finished file went, with its digest and size (meta header included). */
export interface StagedFile {
  path: string;
  sha256: string;
  size: number;
}

/**
 * A Writable that puts `header` and then every byte written to it into `<path>.part`, and on end() fsyncs it,
 * renames it to `path` and fsyncs the folder, so that 'finish' means durable. discard() removes whatever exists.
 * Bytes are written as received: nothing is parsed or re-encoded. With a `sealer` (a staging key is configured)
 * they are encrypted on the way to disk; digest and size are those of the plaintext.
 */
export class StagedFileWriter extends Writable {
  private fd: number | undefined;
  private readonly hash = createHash('sha256');
  private size = 0;
  private done: StagedFile | undefined;
  private discarded = false;
  private source: { pause(): unknown; resume(): unknown } | undefined;
  private paused = false;

  constructor(readonly path: string, private readonly header: Buffer, private readonly sealer?: ChunkSealer) {
    super({ highWaterMark: 1024 * 1024 });
  }

  /** The stored file once 'finish' has fired. */
  get result(): StagedFile | undefined {
    return this.done;
  }

  /**
   * Pauses `source` (the socket) while this stream's buffer is full and resumes it once the disk has caught up, so a
   * fast sender cannot fill memory: dcmjs-dimse waits for 'drain' only on a stream's first PDU.
   */
  throttle(source: { pause(): unknown; resume(): unknown }): void {
    this.source = source;
    // After end() Node emits no 'drain'; finishing or closing releases the source too.
    for (const event of ['drain', 'finish', 'close'] as const) this.on(event, () => this.release());
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Writable.write's overloads
  override write(chunk: any, encoding?: any, cb?: any): boolean {
    const ok = super.write(chunk, encoding, cb);
    if (!ok && this.source && !this.paused && !this.destroyed) {
      this.paused = true;
      this.source.pause();
    }
    return ok;
  }

  private release(): void {
    if (!this.paused) return;
    this.paused = false;
    this.source?.resume();
  }

  override _construct(cb: (err?: Error | null) => void): void {
    mkdir(dirname(this.path), { recursive: true }, (err) => {
      if (err) return cb(err);
      open(`${this.path}.part`, 'wx', (e, fd) => {
        if (e) return cb(e);
        this.fd = fd;
        this.writePlain(this.header, cb, this.sealer?.header);
      });
    });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.writePlain(chunk, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (this.sealer) this.writeAll(this.sealer.finish(), (err) => (err ? cb(err) : this.syncAndRename(cb)));
    else this.syncAndRename(cb);
  }

  private syncAndRename(cb: (err?: Error | null) => void): void {
    const fd = this.fd!;
    fsync(fd, (err) => {
      if (err) return cb(err);
      close(fd, (e) => {
        this.fd = undefined;
        if (e) return cb(e);
        rename(`${this.path}.part`, this.path, (re) => {
          if (re) return cb(re);
          // An abort that raced the final fsync must not leave a finished file nobody recorded.
          if (this.discarded) return rm(this.path, { force: true }, () => cb(new Error('discarded')));
          // The rename itself is made durable by syncing the folder.
          open(dirname(this.path), 'r', (oe, dfd) => {
            if (oe) return cb(oe);
            fsync(dfd, () => close(dfd, () => {
              this.done = { path: this.path, sha256: this.hash.digest('hex'), size: this.size };
              cb();
            }));
          });
        });
      });
    });
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (this.fd === undefined) return cb(err);
    close(this.fd, () => {
      this.fd = undefined;
      cb(err);
    });
  }

  /** Stops writing and removes the partial or finished file; used on abort, on a closed link and on refusal. */
  async discard(): Promise<void> {
    if (this.discarded) return;
    this.discarded = true;
    if (!this.destroyed) this.destroy();
    // destroy() waits for an open in progress; 'close' means the descriptor is released.
    if (!this.closed) await new Promise<void>((res) => this.once('close', () => res()));
    await Promise.all([`${this.path}.part`, this.path].map((p) => new Promise<void>((res) => rm(p, { force: true }, () => res()))));
  }

  /** Counts and hashes plaintext, then writes it, sealed when there is a sealer (`before`: bytes to write first). */
  private writePlain(plain: Buffer, cb: (err?: Error | null) => void, before?: Buffer): void {
    this.hash.update(plain);
    this.size += plain.length;
    const out = this.sealer ? this.sealer.push(plain) : [plain];
    if (before) out.unshift(before);
    this.writeAll(out.length === 1 ? out[0]! : Buffer.concat(out), cb);
  }

  private writeAll(buf: Buffer, cb: (err?: Error | null) => void, offset = 0): void {
    if (offset >= buf.length) return cb();
    write(this.fd!, buf, offset, buf.length - offset, null, (err, n) => (err ? cb(err) : this.writeAll(buf, cb, offset + n)));
  }
}
