/**
 * Benchmark of `dicom-intake anonymize` against peer tools on the same data, in the same run (STYLE.md §11: a
 * program, not a test). Sets: (a) N copies of pydicom's CT_small.dcm; (b) synthetic multi-frame CT files of the given
 * sizes. Tools: cp, gdcmanon --dumb and dcmodify with the reference's 30-tag erasure set, and ours with the same set
 * as a DicomEdit script, with the Basic Profile, and with both. Each tool runs as one process over the whole set
 * (timed with /usr/bin/time for wall time and peak RSS); ours is also timed in-process, without Node's start-up.
 *
 * Run: npm run bench -- [--copies 500] [--sizes 50,100,200] [--work DIR]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { compileScript } from '../src/anonymize';
import { parseProfileOptions } from '../src/anonymize/profile/profile-options';
import { deidentifyFile, type DeidentifyRequest } from '../src/activities/deidentify-file';
import { writeSyntheticFile } from './synthetic-file';

const CT_SMALL = '/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm';
const ROOT = resolve(__dirname, '..');
// The erasure set of reference §2.2: 8 attributes emptied, 22 removed.
const Z_TAGS = ['0008,0050', '0008,0090', '0010,0010', '0010,0020', '0010,0030', '0010,0040', '0020,0010', '0008,0020'];
const X_TAGS = ['0008,0080', '0008,0081', '0008,1010', '0008,1030', '0008,103E', '0008,1040', '0008,1048', '0008,1050', '0008,1060', '0008,1070',
  '0010,1000', '0010,1001', '0010,1002', '0010,1010', '0010,1020', '0010,1030', '0010,1040', '0010,2160', '0010,21B0', '0010,4000', '0018,1000', '0020,4000'];
const SITE_SCRIPT = ['version "6.1"', ...Z_TAGS.map((t) => `(${t}) := ""`), ...X_TAGS.map((t) => `-(${t})`), ''].join('\n');

interface Row {
  set: string;
  tool: string;
  files: number;
  bytes: number;
  seconds: number;
  rssMb: number | undefined;
}

function timed(command: string, args: string[], cwd = ROOT): { seconds: number; rssMb: number } {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', command, ...args], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [seconds, kb] = last.split(' ').map(Number);
  if (r.status !== 0) process.stderr.write(`bench: ${command} exited ${r.status}: ${r.stderr.slice(-500)}\n`);
  return { seconds: seconds ?? NaN, rssMb: (kb ?? NaN) / 1024 };
}

function setSize(dir: string): { files: number; bytes: number } {
  const names = readdirSync(dir);
  return { files: names.length, bytes: names.reduce((s, n) => s + statSync(join(dir, n)).size, 0) };
}

function fresh(dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function makeMultiframe(path: string, megabytes: number): Promise<void> {
  const frameBytes = 512 * 512 * 2;
  const frames = Math.max(1, Math.round((megabytes * 1024 * 1024) / frameBytes));
  await writeSyntheticFile(path, {
    rows: 512,
    columns: 512,
    pixelDataBytes: frames * frameBytes,
    nestedSequence: true,
    undefinedLengthSequence: true,
    privateBlock: true,
    elements: { NumberOfFrames: String(frames), InstitutionName: 'Synthetic Hospital', ReferringPhysicianName: 'Synthetic^Doctor' },
  });
}

function peerRows(set: string, input: string, work: string): Row[] {
  const { files, bytes } = setSize(input);
  const rows: Row[] = [];
  const cpOut = join(work, 'cp');
  rmSync(cpOut, { recursive: true, force: true });
  rows.push({ set, tool: 'cp -r', files, bytes, ...(timed('cp', ['-r', input, cpOut])) });
  const gdcmOut = fresh(join(work, 'gdcm'));
  const gdcmArgs = ['--dumb', '-i', input, '-o', gdcmOut, ...Z_TAGS.flatMap((t) => ['--empty', t]), ...X_TAGS.flatMap((t) => ['--remove', t])];
  rows.push({ set, tool: 'gdcmanon --dumb (30 ops)', files, bytes, ...(timed('gdcmanon', gdcmArgs)) });
  const dcmOut = join(work, 'dcmodify');
  rmSync(dcmOut, { recursive: true, force: true });
  execFileSync('cp', ['-r', input, dcmOut]); // not timed: dcmodify edits in place
  const dcmArgs = ['-nb', '-q', '-ie', '-imt', ...Z_TAGS.flatMap((t) => ['-ma', `(${t})=`]), ...X_TAGS.flatMap((t) => ['-ea', `(${t})`]),
    ...readdirSync(dcmOut).map((n) => join(dcmOut, n))];
  rows.push({ set, tool: 'dcmodify (30 ops)', files, bytes, ...(timed('dcmodify', dcmArgs)) });
  return rows;
}

function ourRows(set: string, input: string, work: string, secretFile: string, scriptFile: string): Row[] {
  const { files, bytes } = setSize(input);
  const cli = join(ROOT, 'bin/dicom-intake.js');
  const variants: Array<[string, string[]]> = [
    ['ours: script (30 ops)', ['--script', scriptFile]],
    ['ours: profile basic', ['--profile', 'basic', '--secret-file', secretFile]],
    ['ours: profile basic + script', ['--profile', 'basic', '--secret-file', secretFile, '--script', scriptFile]],
  ];
  return variants.map(([tool, args]) => {
    const out = fresh(join(work, 'ours'));
    return { set, tool: `${tool}, CLI`, files, bytes, ...(timed('node', [cli, 'anonymize', ...args, '--var', 'subject=S01', '--out', out, input])) };
  });
}

async function inProcessRow(set: string, input: string, work: string, request: DeidentifyRequest, tool: string): Promise<Row> {
  const { files, bytes } = setSize(input);
  const out = fresh(join(work, 'inproc'));
  const names = readdirSync(input);
  const started = process.hrtime.bigint();
  for (const name of names) await deidentifyFile(join(input, name), join(out, name), request);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { set, tool: `${tool}, in-process`, files, bytes, seconds, rssMb: process.memoryUsage().rss / 1024 / 1024 };
}

function print(rows: Row[]): void {
  const lines = ['| set | tool | files | MB | s | files/s | MB/s | peak RSS MB | files/s vs gdcmanon | MB/s vs dcmodify |', '|---|---|---|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    const ref = (tool: string) => rows.find((x) => x.set === r.set && x.tool.startsWith(tool));
    const gdcm = ref('gdcmanon');
    const dcm = ref('dcmodify');
    const fps = r.files / r.seconds;
    const mbps = r.bytes / 1024 / 1024 / r.seconds;
    const ratio = (a: number, b: Row | undefined, f: (x: Row) => number) => (b === undefined ? '' : `${(a / f(b)).toFixed(2)}x`);
    lines.push(
      `| ${r.set} | ${r.tool} | ${r.files} | ${(r.bytes / 1024 / 1024).toFixed(1)} | ${r.seconds.toFixed(2)} | ${fps.toFixed(0)} | ${mbps.toFixed(0)} | ${r.rssMb?.toFixed(0) ?? ''} | ` +
        `${ratio(fps, gdcm, (x) => x.files / x.seconds)} | ${ratio(mbps, dcm, (x) => x.bytes / 1024 / 1024 / x.seconds)} |`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { copies: { type: 'string', default: '500' }, sizes: { type: 'string', default: '50,100,200' }, work: { type: 'string' } } });
  const work = resolve(values.work ?? join(tmpdir(), 'dicom-intake-bench'));
  fresh(work);
  // The CLI rows measure what a user runs after setup: the compiled commands in dist/ (tsx only without a build).
  execFileSync('bash', [join(ROOT, 'scripts/build.sh')], { stdio: 'inherit' });
  const secretFile = join(work, 'secret.key');
  writeFileSync(secretFile, 'bench-secret\n');
  const scriptFile = join(work, 'site.das');
  writeFileSync(scriptFile, SITE_SCRIPT);
  const request = { vars: { subject: 'S01' }, secret: 'bench-secret', durable: false, hash: false };
  const rows: Row[] = [];

  const ct = fresh(join(work, 'ct'));
  for (let i = 0; i < Number(values.copies); i++) copyFileSync(CT_SMALL, join(ct, `ct${String(i).padStart(4, '0')}.dcm`));
  const ctSet = `(a) CT_small x${values.copies}`;
  rows.push(...peerRows(ctSet, ct, work), ...ourRows(ctSet, ct, work, secretFile, scriptFile));
  rows.push(await inProcessRow(ctSet, ct, work, { ...request, profile: parseProfileOptions('basic') }, 'ours: profile basic'));
  rows.push(await inProcessRow(ctSet, ct, work, { ...request, script: compileScript(SITE_SCRIPT) }, 'ours: script (30 ops)'));

  for (const mb of values.sizes.split(',').filter((s) => s !== '').map(Number)) {
    const dir = fresh(join(work, `mf${mb}`));
    await makeMultiframe(join(dir, `multiframe-${mb}MB.dcm`), mb);
    const set = `(b) multi-frame ${mb} MB`;
    rows.push(...peerRows(set, dir, work), ...ourRows(set, dir, work, secretFile, scriptFile));
    rows.push(await inProcessRow(set, dir, work, { ...request, profile: parseProfileOptions('basic') }, 'ours: profile basic'));
    rmSync(dir, { recursive: true, force: true });
  }
  // The fixed cost in every CLI row above: Node and our compiled modules loading.
  rows.push({ set: 'start-up', tool: 'ours: `anonymize --help`, CLI', files: 0, bytes: 0, ...timed('node', [join(ROOT, 'bin/dicom-intake.js'), 'anonymize', '--help']) });
  print(rows);
  rmSync(work, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
