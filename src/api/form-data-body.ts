import type { IncomingMessage } from 'node:http';
import { multipartBoundary } from './multipart-body';
import { HttpError } from './router';

/** One part of a small multipart/form-data body: a field's text or a chosen file's bytes. */
export interface FormPart {
  /** The file name the browser sent (present for file inputs); never logged or stored. */
  filename?: string;
  data: Buffer;
}

/**
 * Reads a small multipart/form-data body (a browser's FormData: a few fields and one modest file) into memory,
 * refusing more than `max` bytes. Uploads of studies stream through FirstFilePart instead; this is for forms.
 */
export async function readFormData(req: IncomingMessage, max: number): Promise<Map<string, FormPart>> {
  const boundary = multipartBoundary(req.headers['content-type']);
  if (!boundary) throw new HttpError(415, 'send the form as multipart/form-data');
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    n += (c as Buffer).length;
    if (n > max) throw new HttpError(413, `form over ${max} bytes`);
    chunks.push(c as Buffer);
  }
  const body = Buffer.concat(chunks);
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const parts = new Map<string, FormPart>();
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString('latin1') === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) throw new HttpError(400, 'the multipart body ends without its closing boundary');
    // Each part: CRLF, headers, CRLF CRLF, data, CRLF before the next delimiter.
    const part = body.subarray(start + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) throw new HttpError(400, 'a multipart part has no header block');
    const headers = part.subarray(0, split).toString('utf8');
    const name = /(?:^|;)\s*name="([^"]*)"/im.exec(headers)?.[1];
    const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
    if (name !== undefined && !parts.has(name)) parts.set(name, { filename, data: part.subarray(split + 4) });
    at = next;
  }
  return parts;
}
