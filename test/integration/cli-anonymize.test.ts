import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { deidentifyFile } from '../../src/activities/deidentify-file';
import { parseProfileOptions } from '../../src/anonymize/profile/profile-options';
import { buildDicom, buildDicomPrefix } from '../factories/dicom-builder';

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

  describe('DICOMDIR and converted inputs', () => {
    const TINY = join(CORPUS, 'dicomdirtests/TINY_ALPHA');
    const cd = join(dir, 'cd');
    const PROBE = `
import sys, json, pydicom
from pydicom.fileset import FileSet
# Strict: a record the offsets do not reach (an orphan) is an error, not silently added to the root.
fs = FileSet()
fs.load(pydicom.dcmread(sys.argv[1]), include_orphans=False, raise_orphans=True)
out = []
for inst in fs:
    ds = inst.load()
    out.append({"path": inst.path, "sop": ds.SOPInstanceUID, "ref": inst.ReferencedSOPInstanceUIDInFile})
print(json.dumps(out))
`;
    const TEXTS = `
import sys, json, pydicom
ds = pydicom.dcmread(sys.argv[1])
print(json.dumps(sorted({str(r.get(k, "")) for r in ds.DirectoryRecordSequence for k in ("PatientName", "PatientID") if str(r.get(k, "")).strip()})))
`;
    beforeAll(() => {
      // A CD-like input: the DICOMDIR and the PTnnnnnn/... images it lists (the corpus folder also holds a README).
      mkdirSync(cd, { recursive: true });
      execFileSync('cp', ['-r', join(TINY, 'PT000000'), join(TINY, 'DICOMDIR'), cd]);
    });

    it('When a folder with a DICOMDIR is anonymized with --dicomdir, then the input DICOMDIR is dropped and a new one lists every output file, as pydicom and dcmdump read it', async () => {
      const out = join(dir, 'cd-out');
      const { stdout, stderr } = await run('node', [CLI, 'anonymize', '--profile', 'basic', '--secret-file', key, '--dicomdir', '--json', '--out', out, cd]);
      const summary = JSON.parse(stdout) as { ok: boolean; written: number; dropped: number; dicomdir: string };
      expect(summary).toMatchObject({ ok: true, written: 50, dropped: 1, dicomdir: join(out, 'DICOMDIR') });
      expect(stderr).toMatch(/dropped .*cd\/DICOMDIR: a DICOMDIR is not copied/);
      const listed = JSON.parse(execFileSync('/usr/bin/python3', ['-c', PROBE, join(out, 'DICOMDIR')], { encoding: 'utf8' })) as Array<{ path: string; sop: string; ref: string }>;
      expect(listed).toHaveLength(50);
      for (const l of listed) {
        expect(l.sop).toBe(l.ref);
        expect(existsSync(l.path)).toBe(true);
        expect(l.path.startsWith(join(out, 'PT000000'))).toBe(true);
      }
      expect(new Set(listed.map((l) => l.path)).size).toBe(50);
      await run('dcmdump', ['-q', '+E', join(out, 'DICOMDIR')]);
      // The new records hold the de-identified keys only: none of the input DICOMDIR's names or IDs.
      const before = JSON.parse(execFileSync('/usr/bin/python3', ['-c', TEXTS, join(cd, 'DICOMDIR')], { encoding: 'utf8' })) as string[];
      expect(before.length).toBeGreaterThan(0);
      const generated = readFileSync(join(out, 'DICOMDIR'));
      for (const t of before) expect(generated.includes(Buffer.from(t)), t).toBe(false);
      // Deterministic, like the files it lists.
      const again = join(dir, 'cd-out-again');
      await run('node', [CLI, 'anonymize', '--profile', 'basic', '--secret-file', key, '--dicomdir', '--out', again, cd]);
      expect(readFileSync(join(again, 'DICOMDIR')).equals(generated)).toBe(true);
    });

    it('When a DICOMDIR (even one with bad offsets) is given without --dicomdir, then it is dropped with a note, nothing replaces it and the exit code is 0', async () => {
      const out = join(dir, 'nodir-out');
      const { stdout, stderr } = await run('node', [CLI, 'anonymize', '--profile', 'basic', '--secret-file', key, '--out', out, join(CORPUS, 'dicomdirtests/DICOMDIR-nooffset'), join(input, 'ct.dcm')]);
      expect(stdout).toMatch(/1 written, 0 refused, 1 DICOMDIR dropped/);
      expect(stderr).toMatch(/dropped .*DICOMDIR-nooffset/);
      expect(existsSync(join(out, 'DICOMDIR-nooffset'))).toBe(false);
      expect(existsSync(join(out, 'DICOMDIR'))).toBe(false);
    });

    it('When --dicomdir is asked for files whose names are not valid File IDs, then the files are written, no DICOMDIR is, and the exit code is 1', async () => {
      const out = join(dir, 'badnames-out');
      const err = await fails(run('node', [CLI, 'anonymize', '--profile', 'basic', '--secret-file', key, '--dicomdir', '--out', out, join(input, 'ct.dcm')]));
      expect(err.code).toBe(1);
      expect(err.stderr).toMatch(/no DICOMDIR written: ct\.dcm cannot be referenced from a DICOMDIR: the path component "ct\.dcm" is not 1 to 8 characters/);
      expect(existsSync(join(out, 'ct.dcm'))).toBe(true);
      expect(existsSync(join(out, 'DICOMDIR'))).toBe(false);
    });

    it('When big endian, deflated and File Meta-less files are anonymized, then they are written in little endian with a note each and verify finds nothing', async () => {
      const out = join(dir, 'converted-out');
      const inputs = ['MR_small_bigendian.dcm', 'image_dfl.dcm', 'rtstruct.dcm'].map((f) => join(CORPUS, f));
      const { stdout, stderr } = await run('node', [CLI, 'anonymize', '--profile', 'basic', '--secret-file', key, '--json', '--out', out, ...inputs]);
      const summary = JSON.parse(stdout) as { ok: boolean; files: Array<{ converted?: { from: string; to: string } }> };
      expect(summary.ok).toBe(true);
      expect(summary.files.map((f) => f.converted)).toEqual([
        { from: 'Explicit VR Big Endian', to: 'Explicit VR Little Endian' },
        { from: 'Deflated Explicit VR Little Endian', to: 'Explicit VR Little Endian' },
        { from: 'without File Meta', to: 'Implicit VR Little Endian' },
      ]);
      expect(stderr).toMatch(/note: .*MR_small_bigendian\.dcm was Explicit VR Big Endian; written as Explicit VR Little Endian/);
      for (const f of ['MR_small_bigendian.dcm', 'image_dfl.dcm', 'rtstruct.dcm']) {
        const { stdout: verified } = await run('node', [CLI, 'verify', '--json', join(CORPUS, f), join(out, f)]);
        expect(JSON.parse(verified), f).toMatchObject({ ok: true, verified: 1, findings: [] });
      }
    });
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

  it('When a file is too large to be read whole (12 MB of pixel data), then the CLI copies its pixel data by ranges and writes the bytes the service writer writes', async () => {
    const big = join(dir, 'big');
    mkdirSync(big, { recursive: true });
    const pixelDataBytes = 12 * 1024 * 1024;
    const { prefix } = buildDicomPrefix({ rows: 2048, columns: 3072, pixelDataBytes, privateBlock: true });
    const pixels = Buffer.alloc(pixelDataBytes);
    for (let i = 0; i < pixels.length; i += 4096) pixels.writeUInt32LE(i, i); // no two chunks alike
    writeFileSync(join(big, 'big.dcm'), Buffer.concat([prefix, pixels]));
    const out = join(dir, 'big-out');
    await run('node', [CLI, 'anonymize', '--profile', 'basic', '--secret-file', key, '--out', out, big]);
    const reference = join(dir, 'big-reference.dcm');
    await deidentifyFile(join(big, 'big.dcm'), reference, { profile: parseProfileOptions('basic'), secret: 'cli-test-secret', vars: {} });
    const written = readFileSync(join(out, 'big.dcm'));
    expect(written.equals(readFileSync(reference))).toBe(true);
    expect(written.subarray(written.length - pixelDataBytes).equals(pixels)).toBe(true);
    expect(existsSync(join(out, 'big.dcm.part'))).toBe(false);
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

