import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { StagedFileWriter } from '../../src/scp/staged-file-writer';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
const tempDir = async () => {
  const d = await mkdtemp(join(tmpdir(), 'staged-'));
  dirs.push(d);
  return d;
};

describe('staged file writer', () => {
  it('When data comes faster than the disk takes it, then the source is paused and resumed, and the file is the header plus every byte', async () => {
    const path = join(await tempDir(), 'sub', 'x.dcm');
    const header = Buffer.from('HEADER');
    const w = new StagedFileWriter(path, header);
    const calls: string[] = [];
    w.throttle({ pause: () => calls.push('pause'), resume: () => calls.push('resume') });
    const chunks = Array.from({ length: 24 }, (_, i) => Buffer.alloc(512 * 1024, i));
    for (const c of chunks) w.write(c);
    w.end();
    await finished(w);
    expect(calls[0]).toBe('pause');
    expect(calls.filter((c) => c === 'pause').length).toBe(calls.filter((c) => c === 'resume').length);
    const expected = Buffer.concat([header, ...chunks]);
    const stored = await readFile(path);
    expect(stored.equals(expected)).toBe(true);
    expect(w.result).toEqual({ path, size: expected.length, sha256: createHash('sha256').update(expected).digest('hex') });
    expect(existsSync(`${path}.part`)).toBe(false);
  });

  it('When the file is discarded half written, then neither the partial nor a final file is left', async () => {
    const path = join(await tempDir(), 'y.dcm');
    const w = new StagedFileWriter(path, Buffer.from('H'));
    w.on('error', () => undefined);
    w.write(Buffer.alloc(100_000, 1));
    // The partial file appears once the writer has opened it: wait for that (a busy machine may take a while).
    for (let waited = 0; !existsSync(`${path}.part`) && waited < 10_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    expect(existsSync(`${path}.part`)).toBe(true);
    await w.discard();
    expect(existsSync(`${path}.part`)).toBe(false);
    expect(existsSync(path)).toBe(false);
  });
});
