// The XNAT import call the upload commands share: one zip as the request body, with progress on a terminal.

import { createReadStream } from 'node:fs';
import { request } from 'node:http';
import { NOT_REACHED_HINT } from './api-request';

/** The API answers errors as JSON `{ error }` or, on XNAT's endpoints, as text. */
export function errorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // plain text
  }
  return body.trim();
}

/** POSTs a zip file as the request body, drawing the bytes sent on stderr when `showProgress`. */
export function postFile(url: string, path: string, size: number, token: string | undefined, showProgress: boolean): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/zip', 'content-length': size, ...(token && { authorization: `Bearer ${token}` }) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', (err) => reject(new Error(`cannot reach ${new URL(url).origin} (${err.message}); ${NOT_REACHED_HINT}`)));
    let sent = 0;
    const file = createReadStream(path);
    file.on('data', (c) => {
      sent += c.length;
      if (showProgress) process.stderr.write(`\rsending ${Math.round((sent / size) * 100)}% (${sent}/${size} bytes)`);
    });
    file.on('end', () => showProgress && process.stderr.write('\nwaiting for the archive...\n'));
    file.pipe(req);
  });
}
