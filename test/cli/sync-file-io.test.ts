/**
 * The offline batch's synchronous writer (src/cli/sync-file-io.ts): buffers and ranges of the input in order, and
 * an input that changed since it was read refused with nothing left behind.
 */
import { existsSync, mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomicSync } from '../../src/cli/sync-file-io';

describe('writeFileAtomicSync', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sync-file-io-'));
  const input = join(dir, 'input.bin');
  const bytes = Buffer.from(Array.from({ length: 10_000 }, (_, i) => i % 251));
  writeFileSync(input, bytes);
  const source = () => ({ path: input, size: statSync(input).size, mtimeMs: statSync(input).mtimeMs });

  it('When parts mix new bytes and ranges of the input, then the output is them in order and no .part is left', () => {
    const out = join(dir, 'sub', 'out.bin');
    const size = writeFileAtomicSync(out, [Buffer.from('head'), { from: 100, to: 9_000 }, Buffer.from('mid'), { from: 0, to: 10 }], false, source());
    const expected = Buffer.concat([Buffer.from('head'), bytes.subarray(100, 9_000), Buffer.from('mid'), bytes.subarray(0, 10)]);
    expect(size).toBe(expected.length);
    expect(readFileSync(out).equals(expected)).toBe(true);
    expect(existsSync(`${out}.part`)).toBe(false);
  });

  it('When the input changed after it was read, then SOURCE_CHANGED is thrown and nothing is written', () => {
    const read = source();
    utimesSync(input, new Date(), new Date(read.mtimeMs + 5_000));
    const out = join(dir, 'changed.bin');
    expect(() => writeFileAtomicSync(out, [Buffer.from('head'), { from: 0, to: 100 }], false, read)).toThrow(/SOURCE_CHANGED|changed after it was read/);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.part`)).toBe(false);
  });

  it('When a range reaches past the end of a file that shrank in place, then SOURCE_CHANGED is thrown and nothing is written', () => {
    const out = join(dir, 'shrunk.bin');
    expect(() => writeFileAtomicSync(out, [{ from: 9_000, to: 20_000 }], false, source())).toThrow(/shrank while being copied/);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.part`)).toBe(false);
  });
});
