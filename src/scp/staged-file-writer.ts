import { createHash } from 'node:crypto';
import { close, fsync, mkdir, open, rename, rm, write } from 'node:fs';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';

/** Where a finished file went, with its digest and size (meta header included). */
export interface StagedFile {
  path: string;
  sha256: string;
  size: number;
}

/**
 * A Writable that puts `header` and then every byte written to it into `<path>.part`, and on end() fsyncs it,
 * renames it to `path` and fsyncs the folder, so that 'finish' means durable. discard() removes whatever exists.
 * Bytes are written as received: nothing is parsed or re-encoded.
 */
export class StagedFileWriter extends Writable {
  private fd: number | undefined;
  private readonly hash = createHash('sha256');
  private size = 0;
  private done: StagedFile | undefined;
  private discarded = false;

  constructor(readonly path: string, private readonly header: Buffer) {
    super({ highWaterMark: 1024 * 1024 });
  }

  /** The stored file once 'finish' has fired. */
  get result(): StagedFile | undefined {
    return this.done;
  }

  override _construct(cb: (err?: Error | null) => void): void {
    mkdir(dirname(this.path), { recursive: true }, (err) => {
      if (err) return cb(err);
      open(`${this.path}.part`, 'wx', (e, fd) => {
        if (e) return cb(e);
        this.fd = fd;
        this.writeAll(this.header, cb);
      });
    });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.writeAll(chunk, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
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

  private writeAll(buf: Buffer, cb: (err?: Error | null) => void, offset = 0): void {
    if (offset === 0) {
      this.hash.update(buf);
      this.size += buf.length;
    }
    if (offset >= buf.length) return cb();
    write(this.fd!, buf, offset, buf.length - offset, null, (err, n) => (err ? cb(err) : this.writeAll(buf, cb, offset + n)));
  }
}
