/**
 * Benchmark of `dicom-intake anonymize` against peer tools on the same data, in the same run (STYLE.md §11: a
 * program, not a test). Sets: (a) N copies of pydicom's CT_small.dcm; (b) synthetic multi-frame CT files of the given
 * sizes. Tools: cp, gdcmanon --dumb and dcmodify with the reference's 30-tag erasure set, and ours with the same set
 * as a DicomEdit script, with the Basic Profile, and with both. Each tool runs as one process over the whole set
 * (timed with /usr/bin/time for wall time, CPU time and peak RSS), each --runs times, round-robin, the fastest kept.
 * Ours is also timed in a long-lived process after a warm-up pass (warm-runner.ts), as the service's worker runs
 * it: without Node's start-up and V8's warm-up.
 *
 * Run: npm run bench -- [--copies 500] [--sizes 50,100,200] [--runs 3] [--work DIR (default .bench-work/)]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { BatchSettings } from '../src/cli/batch-file';
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
  /** Wall seconds of the fastest run. */
  seconds: number;
  /** User + system CPU seconds of that run. */
  cpu: number;
  rssMb: number | undefined;
}

interface Timing {
  seconds: number;
  cpu: number;
  rssMb: number;
}

function timed(command: string, args: string[], cwd = ROOT): Timing {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', command, ...args], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [seconds, kb, user, sys] = last.split(' ').map(Number);
  if (r.status !== 0) process.stderr.write(`bench: ${command} exited ${r.status}: ${r.stderr.slice(-500)}\n`);
  return { seconds: seconds ?? NaN, cpu: (user ?? NaN) + (sys ?? NaN), rssMb: (kb ?? NaN) / 1024 };
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

/**
 * A new output folder for every timed run, never one just emptied: on ext4 without a journal (these machines), a
 * file created soon after many deletions in the same block group skips every recently freed inode, which made each
 * create cost 0.2-0.4 ms and charged it to whichever tool wrote into a folder the bench had just removed. Outputs
 * are removed together at the end.
 */
let outputs = 0;
function outputDir(work: string, create = true): string {
  const dir = join(work, 'out', String(++outputs).padStart(4, '0'));
  mkdirSync(create ? dir : dirname(dir), { recursive: true });
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

/** One tool over one set: `run` does a timed run (its own untimed preparation included). */
interface Contender {
  tool: string;
  run: () => Timing;
}

function peerContenders(input: string, work: string): Contender[] {
  return [
    { tool: 'cp -r', run: () => timed('cp', ['-r', input, outputDir(work, false)]) },
    {
      tool: 'gdcmanon --dumb (30 ops)',
      run: () => timed('gdcmanon', ['--dumb', '-i', input, '-o', outputDir(work), ...Z_TAGS.flatMap((t) => ['--empty', t]), ...X_TAGS.flatMap((t) => ['--remove', t])]),
    },
    {
      tool: 'dcmodify (30 ops)',
      run: () => {
        const out = outputDir(work, false);
        execFileSync('cp', ['-r', input, out]); // not timed: dcmodify edits in place
        const dcmArgs = ['-nb', '-q', '-ie', '-imt', ...Z_TAGS.flatMap((t) => ['-ma', `(${t})=`]), ...X_TAGS.flatMap((t) => ['-ea', `(${t})`])];
        return timed('dcmodify', [...dcmArgs, ...readdirSync(out).map((n) => join(out, n))]);
      },
    },
  ];
}

function ourContenders(input: string, work: string, secretFile: string, scriptFile: string): Contender[] {
  const cli = join(ROOT, 'bin/dicom-intake'); // the installed command (package.json "bin"), as a user runs it
  const variants: Array<[string, string[]]> = [
    ['ours: script (30 ops)', ['--script', scriptFile]],
    ['ours: profile basic', ['--profile', 'basic', '--secret-file', secretFile]],
    ['ours: profile basic + script', ['--profile', 'basic', '--secret-file', secretFile, '--script', scriptFile]],
  ];
  return variants.map(([tool, args]) => ({
    tool: `${tool}, CLI`,
    run: () => timed(cli, ['anonymize', ...args, '--var', 'subject=S01', '--out', outputDir(work, false), input]),
  }));
}

/** Runs every contender `runs` times, round-robin (so a burst of load hits all of them alike); keeps each one's fastest run. */
function race(set: string, input: string, contenders: Contender[], runs: number): Row[] {
  const { files, bytes } = setSize(input);
  const best = new Map<string, Timing>();
  for (let i = 0; i < runs; i++) {
    for (const c of contenders) {
      const t = c.run();
      const prev = best.get(c.tool);
      if (prev === undefined || t.seconds < prev.seconds) best.set(c.tool, t);
    }
  }
  return contenders.map((c) => ({ set, tool: c.tool, files, bytes, ...best.get(c.tool)! }));
}

/**
 * Ours as a long-lived process runs it (warm-runner.ts, compiled like the CLI, in its own process): after a warm-up
 * pass, so without Node's start-up and V8's warm-up. Peak RSS is that process's.
 */
function warmRow(set: string, input: string, work: string, runner: string, settings: BatchSettings, tool: string, runs: number): Row {
  const { files, bytes } = setSize(input);
  const r = spawnSync('node', [runner, '--settings', JSON.stringify(settings), '--input', input, '--out', outputDir(work, false), '--runs', String(runs)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`warm-runner exited ${r.status}: ${r.stderr.slice(-500)}`);
  const t = JSON.parse(r.stdout) as Timing;
  return { set, tool: `${tool}, long-lived process, warm`, files, bytes, ...t };
}

function print(rows: Row[]): void {
  const lines = [
    '| set | tool | files | MB | wall s | CPU s | files/s | MB/s | peak RSS MB | files/s vs gdcmanon | MB/s vs dcmodify |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const ref = (tool: string) => rows.find((x) => x.set === r.set && x.tool.startsWith(tool));
    const gdcm = ref('gdcmanon');
    const dcm = ref('dcmodify');
    const fps = r.files / r.seconds;
    const mbps = r.bytes / 1024 / 1024 / r.seconds;
    const ratio = (a: number, b: Row | undefined, f: (x: Row) => number) => (b === undefined ? '' : `${(a / f(b)).toFixed(2)}x`);
    lines.push(
      `| ${r.set} | ${r.tool} | ${r.files} | ${(r.bytes / 1024 / 1024).toFixed(1)} | ${r.seconds.toFixed(2)} | ${r.cpu.toFixed(2)} | ${fps.toFixed(0)} | ${mbps.toFixed(0)} | ${r.rssMb?.toFixed(0) ?? ''} | ` +
        `${ratio(fps, gdcm, (x) => x.files / x.seconds)} | ${ratio(mbps, dcm, (x) => x.bytes / 1024 / 1024 / x.seconds)} |`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { copies: { type: 'string', default: '500' }, sizes: { type: 'string', default: '50,100,200' }, runs: { type: 'string', default: '3' }, work: { type: 'string' } },
  });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a whole number, 1 or more');
  // Not /tmp by default: there, other processes' deletions slowed every tool's file creation by 0.1-0.2 ms a file.
  const work = resolve(values.work ?? join(ROOT, '.bench-work'));
  fresh(work);
  // The CLI rows measure what a user runs after setup: the compiled commands in dist/ (tsx only without a build).
  execFileSync('bash', [join(ROOT, 'scripts/build.sh')], { stdio: 'inherit' });
  const runner = join(work, 'warm-runner.js');
  execFileSync('npx', ['esbuild', join(ROOT, 'bench/warm-runner.ts'), '--bundle', '--platform=node', '--target=node20', '--format=cjs', `--outfile=${runner}`, '--log-level=warning'], { cwd: ROOT, stdio: 'inherit' });
  const secretFile = join(work, 'secret.key');
  writeFileSync(secretFile, 'bench-secret\n');
  const scriptFile = join(work, 'site.das');
  writeFileSync(scriptFile, SITE_SCRIPT);
  const scriptSettings: BatchSettings = { scriptText: SITE_SCRIPT, vars: { subject: 'S01' }, durable: false };
  const profileSettings: BatchSettings = { profile: 'basic', secret: 'bench-secret', vars: { subject: 'S01' }, durable: false };
  const load = [loadavg()[0]!.toFixed(2)];
  const rows: Row[] = [];

  const ct = fresh(join(work, 'ct'));
  for (let i = 0; i < Number(values.copies); i++) copyFileSync(CT_SMALL, join(ct, `ct${String(i).padStart(4, '0')}.dcm`));
  const ctSet = `(a) CT_small x${values.copies}`;
  rows.push(...race(ctSet, ct, [...peerContenders(ct, work), ...ourContenders(ct, work, secretFile, scriptFile)], runs));
  rows.push(warmRow(ctSet, ct, work, runner, scriptSettings, 'ours: script (30 ops)', runs));
  rows.push(warmRow(ctSet, ct, work, runner, profileSettings, 'ours: profile basic', runs));

  for (const mb of values.sizes.split(',').filter((s) => s !== '').map(Number)) {
    const dir = fresh(join(work, `mf${mb}`));
    await makeMultiframe(join(dir, `multiframe-${mb}MB.dcm`), mb);
    const set = `(b) multi-frame ${mb} MB`;
    rows.push(...race(set, dir, [...peerContenders(dir, work), ...ourContenders(dir, work, secretFile, scriptFile)], runs));
    rows.push(warmRow(set, dir, work, runner, profileSettings, 'ours: profile basic', runs));
    rmSync(join(work, 'out'), { recursive: true, force: true }); // the large outputs, before the next size
    rmSync(dir, { recursive: true, force: true });
  }
  // The fixed cost in every CLI row above: Node and our compiled modules loading.
  const help: Contender = { tool: 'ours: `anonymize --help`, CLI', run: () => timed(join(ROOT, 'bin/dicom-intake'), ['anonymize', '--help']) };
  const node: Contender = { tool: 'node -e 0 (Node alone)', run: () => timed('node', ['-e', '0']) };
  rows.push(...race('start-up', work, [help, node], runs).map((r) => ({ ...r, files: 0, bytes: 0 })));
  load.push(loadavg()[0]!.toFixed(2));
  process.stdout.write(`${runs} run(s) per row, fastest kept; in ${work}; 1-minute load average ${load.join(' at the start, ')} at the end\n`);
  print(rows);
  rmSync(work, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
