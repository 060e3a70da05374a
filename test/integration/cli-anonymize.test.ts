import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDicom } from '../factories/dicom-builder';

const run = promisify(execFile);
const CLI = join(__dirname, '../../bin/dicom-intake.js');
const CORPUS = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

type Failed = { code: number; stdout: string; stderr: string };
const fails = (p: Promise<unknown>): Promise<Failed> => p.then(() => ({ code: 0, stdout: '', stderr: '' }), (e: Failed) => e);

describe('dicom-intake anonymize and verify', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-anonymize-'));
  const input = join(dir, 'in');
  const key = join(dir, 'project.key');
  beforeAll(() => {
    mkdirSync(input, { recursive: true });
    copyFileSync(join(CORPUS, 'CT_small.dcm'), join(input, 'ct.dcm'));
    writeFileSync(join(input, 'synthetic.dcm'), buildDicom({ nestedSequence: true, privateBlock: true }));
    writeFileSync(join(input, 'notes.txt'), 'not a DICOM file');
    writeFileSync(key, 'cli-test-secret\n');
  });

  it('When one input is not DICOM, then the others are written, it is not, stderr names it and the exit code is 1', async () => {
    const out = join(dir, 'out1');
    const err = await fails(run('node', [CLI, 'anonymize', '--profile', 'basic', '--secret-file', key, '--out', out, input]));
    expect(err.code).toBe(1);
    expect(err.stderr).toMatch(/refused .*notes\.txt: DicomReadError NOT_DICOM: the file is 16 bytes, too short/);
    expect(existsSync(join(out, 'ct.dcm'))).toBe(true);
    expect(existsSync(join(out, 'synthetic.dcm'))).toBe(true);
    expect(existsSync(join(out, 'notes.txt'))).toBe(false);
  });

  it('When every input is DICOM and --json is given, then it exits 0 and the summary parses', async () => {
    const out = join(dir, 'out2');
    const { stdout } = await run('node', [CLI, 'anonymize', '--profile', 'basic,retain-uids', '--secret-file', key, '--json', '--out', out, join(input, 'ct.dcm'), join(input, 'synthetic.dcm')]);
    const summary = JSON.parse(stdout) as { ok: boolean; written: number; refused: number; profile: string; files: Array<{ status: string }> };
    expect(summary).toMatchObject({ ok: true, written: 2, refused: 0, profile: 'basic,retain-uids' });
    expect(summary.files.map((f) => f.status)).toEqual(['written', 'written']);
  });

  it('When the same input and secret are anonymized twice, then the outputs are byte-identical', async () => {
    const a = join(dir, 'det-a');
    const b = join(dir, 'det-b');
    const args = ['anonymize', '--profile', 'basic,retain-long-modified-dates', '--secret-file', key, '--var', 'subject=S01'];
    await run('node', [CLI, ...args, '--out', a, join(input, 'ct.dcm')]);
    await run('node', [CLI, ...args, '--out', b, join(input, 'ct.dcm')]);
    expect(readFileSync(join(a, 'ct.dcm')).equals(readFileSync(join(b, 'ct.dcm')))).toBe(true);
    expect(readFileSync(join(a, 'ct.dcm')).equals(readFileSync(join(input, 'ct.dcm')))).toBe(false);
  });

  it('When a profile is asked for without a secret, or with an unknown option, then it exits 2 and says what to do', async () => {
    const noSecret = await fails(run('node', [CLI, 'anonymize', '--profile', 'basic', '--out', join(dir, 'x'), input]));
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toMatch(/--profile needs --secret-file/);
    const badOption = await fails(run('node', [CLI, 'anonymize', '--profile', 'basic,keep-everything', '--secret-file', key, '--out', join(dir, 'x'), input]));
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toMatch(/unknown profile option "keep-everything"/);
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });

  it('When a script runs after the profile, then its values win and verify still finds no source value', async () => {
    const out = join(dir, 'out3');
    const script = join(dir, 'site.das');
    writeFileSync(script, 'version "6.1"\n(0010,0010) := subject\n(0010,0020) := subject\n');
    await run('node', [CLI, 'anonymize', '--profile', 'basic', '--secret-file', key, '--script', script, '--var', 'subject=SUBJ01', '--out', out, join(input, 'ct.dcm')]);
    const dump = (await run('dcmdump', ['-q', join(out, 'ct.dcm')])).stdout;
    expect(dump).toMatch(/\(0010,0010\) PN \[SUBJ01\]/);
    expect(dump).toMatch(/\(0008,0100\) SH \[113100\]/);
    expect(dump).toMatch(/\(0008,0104\) LO \[XNAT DicomEdit 6 Script\]/);
    const { stdout } = await run('node', [CLI, 'verify', '--json', join(input, 'ct.dcm'), join(out, 'ct.dcm')]);
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, verified: 1, findings: [] });
  });

  it('When verify is given an original as its own "anonymized" copy, then it exits 1 and names tag paths, not values', async () => {
    const err = await fails(run('node', [CLI, 'verify', join(input, 'ct.dcm'), join(input, 'ct.dcm')]));
    expect(err.code).toBe(1);
    expect(err.stderr).toMatch(/\(0010,1002\)\[0\]>\(0010,0020\): the source value of this attribute is still in the output/);
    expect(err.stderr).toMatch(/\(0012,0062\): Patient Identity Removed is not YES/);
    expect(err.stderr).not.toMatch(/CompressedSamples|ABCD1234/);
  });

  it('When --out is the input folder itself, then nothing is overwritten and the exit code is 1', async () => {
    const before = readFileSync(join(input, 'ct.dcm'));
    const err = await fails(run('node', [CLI, 'anonymize', '--profile', 'basic', '--secret-file', key, '--out', input, join(input, 'ct.dcm')]));
    expect(err.code).toBe(1);
    expect(err.stderr).toMatch(/is an input or another input's output/);
    expect(readFileSync(join(input, 'ct.dcm')).equals(before)).toBe(true);
  });

  it('When a batch runs on several threads, then each output is byte-identical to a one-thread run and refusals are the same', async () => {
    const many = join(dir, 'many');
    mkdirSync(join(many, 'sub'), { recursive: true });
    const corpus = ['CT_small.dcm', 'MR_small.dcm', 'JPEG2000.dcm', 'rtplan.dcm', 'nested_priv_SQ.dcm', 'ExplVR_BigEndNoMeta.dcm'];
    for (let i = 0; i < 24; i++) copyFileSync(join(CORPUS, corpus[i % corpus.length]!), join(many, i % 2 === 0 ? 'sub' : '', `f${String(i).padStart(2, '0')}.dcm`));
    writeFileSync(join(many, 'notes.txt'), 'not a DICOM file');
    const args = ['anonymize', '--profile', 'basic', '--secret-file', key, '--var', 'subject=S01', '--json'];
    const one = await fails(run('node', [CLI, ...args, '--jobs', '1', '--out', join(dir, 'jobs1'), many]));
    const three = await fails(run('node', [CLI, ...args, '--jobs', '3', '--out', join(dir, 'jobs3'), many]));
    expect(one.code).toBe(1);
    expect(three.code).toBe(1);
    type Summary = { written: number; refused: number; threads: number; files: Array<{ input: string; output?: string; status: string; reason?: string }> };
    const [a, b] = [JSON.parse(one.stdout) as Summary, JSON.parse(three.stdout) as Summary];
    expect([a.threads, b.threads]).toEqual([1, 3]);
    expect(b.written).toBeGreaterThan(10);
    expect(b.refused).toBe(a.refused);
    expect(b.files.map((f) => [f.input, f.status, f.reason])).toEqual(a.files.map((f) => [f.input, f.status, f.reason]));
    for (const f of a.files.filter((x) => x.status === 'written')) {
      const other = f.output!.replace(join(dir, 'jobs1'), join(dir, 'jobs3'));
      expect(readFileSync(other).equals(readFileSync(f.output!)), other).toBe(true);
    }
  });

  it('When --jobs is not a whole number, then it exits 2 with a usage message', async () => {
    const err = await fails(run('node', [CLI, 'anonymize', '--profile', 'basic', '--secret-file', key, '--jobs', '0', '--out', join(dir, 'x'), input]));
    expect(err.code).toBe(2);
    expect(err.stderr).toMatch(/--jobs must be a whole number/);
  });

  it('When --help is given, then usage with examples is printed and the exit code is 0', async () => {
    const { stdout } = await run('node', [CLI, 'anonymize', '--help']);
    expect(stdout).toMatch(/Examples:\n\s+dicom-intake anonymize --profile basic/);
    const verifyHelp = await run('node', [CLI, 'verify', '--help']);
    expect(verifyHelp.stdout).toMatch(/Example: dicom-intake verify study\/ anon\//);
  });
});

