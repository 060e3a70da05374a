import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HttpError } from './router';

/** Reads a small request body as text (scripts, settings), refusing more than `max` bytes. */
export async function readText(req: IncomingMessage, max = 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    n += (c as Buffer).length;
    if (n > max) throw new HttpError(413, `request body over ${max} bytes`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Streams a request body (or what `extract` takes from it) to `path` durably (fsync), refusing more than `max` bytes;
 * removes the partial file on failure. `seal` (a staging key is configured) encrypts what is written. Answers the
 * size of the plaintext stored (before `seal`), and its SHA-256 when `hash` asks, so nobody reads the file back.
 */
export async function saveBody(req: IncomingMessage, path: string, max: number, extract?: Transform, seal?: Transform, hash = false): Promise<{ size: number; sha256?: string }> {
  await mkdir(dirname(path), { recursive: true });
  let n = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _e, cb) {
      n += chunk.length;
      if (n > max) cb(new HttpError(413, `upload over ${max} bytes, the configured limit (limits.uploadMaxBytes)`));
      else cb(null, chunk);
    },
  });
  const sha = hash ? createHash('sha256') : undefined;
  let size = 0;
  const measure = new Transform({
    transform(chunk: Buffer, _e, cb) {
      sha?.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  try {
    const steps: Transform[] = [limit, ...(extract ? [extract] : []), measure, ...(seal ? [seal] : [])];
    await pipeline([req, ...steps, createWriteStream(path)]);
    const fh = await open(path, 'r');
    await fh.sync();
    await fh.close();
  } catch (err) {
    await rm(path, { force: true });
    throw err;
  }
  return { size, sha256: sha?.digest('hex') };
}

/** Sends a JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Sends a plain-text answer (XNAT's import service answers with URLs as text). */
export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
