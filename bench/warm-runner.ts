/**
 * Ours the way a long-lived process runs it (the service's worker, a CLI that stays up): compiled like the CLI
 * (esbuild bundle, built by anonymize-bench.ts), one untimed pass over the set to warm V8 up, then --runs timed
 * passes through the CLI's own batch path (runJobs), each into a new folder. Prints one JSON line: the fastest
 * pass's wall and CPU seconds, and the process's peak RSS.
 *
 * Run by anonymize-bench.ts: node warm-runner.js --settings JSON --input DIR --out DIR --runs N
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { requestFor, runJobs, type BatchSettings } from '../src/cli/batch-file';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { settings: { type: 'string' }, input: { type: 'string' }, out: { type: 'string' }, runs: { type: 'string', default: '3' } } });
  const request = requestFor(JSON.parse(values.settings!) as BatchSettings);
  const names = readdirSync(values.input!);
  let passes = 0;
  const pass = async (): Promise<{ seconds: number; cpu: number }> => {
    const out = join(values.out!, `pass${passes++}`);
    mkdirSync(out, { recursive: true });
    const jobs = names.map((n) => ({ input: join(values.input!, n), output: join(out, n), duplicate: false }));
    let next = 0;
    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    await runJobs(jobs, request, () => next++, (_, outcome) => {
      if (outcome.status !== 'written') throw new Error(`${outcome.input}: ${outcome.reason}`);
    });
    const used = process.cpuUsage(cpu);
    return { seconds: Number(process.hrtime.bigint() - started) / 1e9, cpu: (used.user + used.system) / 1e6 };
  };
  await pass();
  let best: { seconds: number; cpu: number } | undefined;
  for (let i = 0; i < Number(values.runs); i++) {
    const t = await pass();
    if (best === undefined || t.seconds < best.seconds) best = t;
  }
  process.stdout.write(`${JSON.stringify({ ...best, rssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`warm-runner: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
