/**
 * The `anonymize` command's Clean Pixel Data and Encrypted Attributes flags, through the real CLI: usage errors,
 * a refusal with its reason, and the written markers.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openDicom } from '../../src/dicom';

const run = promisify(execFile);
const CLI = join(__dirname, '../../bin/dicom-intake.js');
const CORPUS = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

type Failed = { code: number; stdout: string; stderr: string };
const fails = (p: Promise<unknown>): Promise<Failed> => p.then(() => ({ code: 0, stdout: '', stderr: '' }), (e: Failed) => e);

describe('dicom-intake anonymize: clean-pixel-data and --encrypt-to', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-anonymize-options-'));
  const key = join(dir, 'project.key');
  const rules = join(dir, 'rules.json');
  const kek = join(dir, 'kek.txt');
  writeFileSync(key, 'cli-options-secret\n');
  writeFileSync(rules, JSON.stringify({ rules: [{ name: 'any image', rectangles: [{ left: 0, top: 0, right: 8, bottom: 4 }] }] }));
  writeFileSync(kek, `kek:0102:${'7e'.repeat(32)}\n`);

  it('When clean-pixel-data is asked without rules, then it is a usage error naming --pixel-rules', async () => {
    const err = await fails(run('node', [CLI, 'anonymize', '--profile', 'basic,clean-pixel-data', '--secret-file', key, '--out', join(dir, 'o1'), join(CORPUS, 'CT_small.dcm')]));
    expect(err.code).toBe(2);
    expect(err.stderr).toContain('clean-pixel-data needs --pixel-rules FILE');
  });

  it('When the rules match a compressed file and a native one, then the compressed one is refused with the reason and the native one is cleaned and encrypted', async () => {
    const out = join(dir, 'o2');
    const args = ['anonymize', '--profile', 'basic,clean-pixel-data', '--pixel-rules', rules, '--encrypt-to', kek, '--secret-file', key, '--json', '--out', out];
    const err = await fails(run('node', [CLI, ...args, join(CORPUS, 'CT_small.dcm'), join(CORPUS, 'JPEG2000.dcm')]));
    expect(err.code).toBe(1);
    expect(err.stderr).toMatch(/refused .*JPEG2000\.dcm: ProfileError PIXEL_DATA_NOT_CLEANABLE: pixel-cleaning rule "any image" matches but the pixel data is compressed/);
    expect(JSON.parse(err.stdout)).toMatchObject({ ok: false, profile: 'basic,clean-pixel-data', written: 1, refused: 1 });
    expect(existsSync(join(out, 'JPEG2000.dcm'))).toBe(false);
    const written = await openDicom(join(out, 'CT_small.dcm'));
    expect(written.getDeidentificationMethodCodes()).toEqual(['113100', '113101']);
    expect(written.has(0x04000500)).toBe(true);
  });

  it('When --encrypt-to holds no usable key, then it is a usage error with the reason', async () => {
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, 'kek:01:00\n');
    const err = await fails(run('node', [CLI, 'anonymize', '--profile', 'basic', '--encrypt-to', bad, '--secret-file', key, '--out', join(dir, 'o3'), join(CORPUS, 'CT_small.dcm')]));
    expect(err.code).toBe(2);
    expect(err.stderr).toContain('16, 24 or 32 bytes');
  });
});
