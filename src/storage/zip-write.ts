import { createWriteStream } from 'node:fs';
import yazl from 'yazl';

/** Builds a zip in memory from named buffers (demo data, tests, and later exports of small sessions). */
export function zipBuffers(members: { name: string; data: Buffer }[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const m of members) zip.addBuffer(m.data, m.name);
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

/**
 * Streams files into a zip at `outPath` under the given member names (the upload client's anonymized files: they
 * are read from disk one at a time, never held together in memory).
 */
export function zipFilesTo(members: { name: string; path: string }[], outPath: string): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const m of members) zip.addFile(m.path, m.name);
  zip.end();
  return new Promise((resolve, reject) => {
    const out = createWriteStream(outPath);
    zip.outputStream.on('error', reject);
    out.on('error', reject);
    out.on('close', () => resolve());
    zip.outputStream.pipe(out);
  });
}
