import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FirstFilePart, multipartBoundary } from '../../src/api/multipart-body';

async function extract(body: Buffer, boundary: string, chunk: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let i = 0; i < body.length; i += chunk) parts.push(body.subarray(i, i + chunk));
  const out: Buffer[] = [];
  for await (const c of Readable.from(parts).pipe(new FirstFilePart(boundary))) out.push(c as Buffer);
  return Buffer.concat(out);
}

describe('multipart bodies', () => {
  const boundary = 'XyZ-boundary';
  // The file's bytes hold CRLFs and a near-miss of the delimiter, which must pass through untouched.
  const file = Buffer.concat([Buffer.from('\r\n--XyZ-bound\r\n'), Buffer.from(Array.from({ length: 3000 }, (_, i) => i & 0xff))]);
  const body = Buffer.concat([
    Buffer.from(`preamble\r\n--${boundary}\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="f"; filename="s.zip"\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);

  it('When the body arrives in chunks of any size, then exactly the file part bytes come out', async () => {
    for (const size of [1, 2, 7, 64, 1000, body.length]) expect((await extract(body, boundary, size)).equals(file)).toBe(true);
  });
  it('When no part carries a file, then the body is refused', async () => {
    const noFile = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue\r\n--${boundary}--\r\n`);
    await expect(extract(noFile, boundary, 5)).rejects.toThrow(/no complete file part|no file part/);
  });
  it('When the content type is read, then the boundary is found, quoted or not, and plain bodies are not multipart', () => {
    expect(multipartBoundary('multipart/form-data; boundary="a b"')).toBe('a b');
    expect(multipartBoundary('multipart/form-data; charset=utf-8; boundary=abc')).toBe('abc');
    expect(multipartBoundary('application/zip')).toBeUndefined();
  });
});
