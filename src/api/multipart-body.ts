import { Transform, type TransformCallback } from 'node:stream';
import { HttpError } from './router';

/** The boundary of a multipart/form-data content type, or undefined when the body is not multipart. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\b/i.test(contentType)) return undefined;
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!m) throw new HttpError(400, 'the multipart body has no boundary in its content type');
  return m[1] ?? m[2];
}

const HEADER_LIMIT = 16 * 1024;

/**
 * Passes on the bytes of the first part of a multipart/form-data body that carries a file (a `filename` in its
 * Content-Disposition), streaming: the upload is never held in memory. Other parts (form fields) are skipped;
 * XNAT's parameters come in the query string.
 */
export class FirstFilePart extends Transform {
  private readonly delimiter: Buffer;
  private buf: Buffer = Buffer.alloc(0);
  private state: 'preamble' | 'headers' | 'file' | 'skip' | 'done' = 'preamble';

  constructor(boundary: string) {
    super();
    this.delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
    // The first delimiter may start the body without the leading CRLF.
    this.buf = Buffer.from('\r\n', 'latin1');
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    try {
      this.drain();
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }

  override _flush(cb: TransformCallback): void {
    if (this.state !== 'done') return cb(new HttpError(400, 'the multipart body holds no complete file part; send the archive as a file field'));
    cb();
  }

  private drain(): void {
    for (;;) {
      if (this.state === 'done') {
        this.buf = Buffer.alloc(0);
        return;
      }
      if (this.state === 'preamble' || this.state === 'skip') {
        const at = this.buf.indexOf(this.delimiter);
        if (at < 0) {
          this.keepTail();
          return;
        }
        this.buf = this.buf.subarray(at + this.delimiter.length);
        this.state = 'headers';
        continue;
      }
      if (this.state === 'headers') {
        const end = this.buf.indexOf('\r\n\r\n', 0, 'latin1');
        if (end < 0) {
          if (this.buf.length > HEADER_LIMIT) throw new HttpError(400, 'a multipart part has over 16 KB of headers');
          return;
        }
        const head = this.buf.subarray(0, end).toString('latin1');
        if (head.startsWith('--')) throw new HttpError(400, 'the multipart body holds no file part; send the archive as a file field');
        this.buf = this.buf.subarray(end + 4);
        const disposition = /^content-disposition:(.*)$/im.exec(head)?.[1] ?? '';
        this.state = /\bfilename\*?=/i.test(disposition) ? 'file' : 'skip';
        continue;
      }
      // state === 'file'
      const at = this.buf.indexOf(this.delimiter);
      if (at >= 0) {
        this.push(this.buf.subarray(0, at));
        this.state = 'done';
        continue;
      }
      // Keep enough bytes to recognise a delimiter split across chunks.
      const safe = this.buf.length - this.delimiter.length;
      if (safe > 0) {
        this.push(this.buf.subarray(0, safe));
        this.buf = this.buf.subarray(safe);
      }
      return;
    }
  }

  private keepTail(): void {
    if (this.buf.length > this.delimiter.length) this.buf = this.buf.subarray(this.buf.length - this.delimiter.length);
  }
}
