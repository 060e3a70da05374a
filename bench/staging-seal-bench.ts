/**
 * Memory and speed of encrypted staging on one large file (STYLE.md §11: a program, not a test). Builds a synthetic
 * DICOM file of --mb MB, then runs each step in its own process and prints wall time, MB/s and that process's peak
 * RSS: sealing a stream (upload body, extracted member), the C-STORE writer sealing PDV-sized pieces, the site pass
 * reading the sealed file (header, script, pixel data copied through the decrypting reader), the same site pass
 * on the plaintext file (reference), and unsealing it out of staging. "node only" is a process doing nothing.
 *
 * Run: npx tsx bench/staging-seal-bench.ts [--mb 200] [--work DIR]
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { runScriptOnFile } from '../src/activities/script-runner';
import { newCodecKey, formatKeyList, parseKeyList } from '../src/codec/keyring';
import { StagedFileWriter } from '../src/scp/staged-file-writer';
import { FileStore } from '../src/storage/file-store';
import { StagingCipher } from '../src/storage/staging-cipher';
import { writeSyntheticFile } from './synthetic-file';

const SITE_SCRIPT = 'version "6.1"\n(0010,0010) := "SITE^DONE"\n-(0010,0020)\n-(0010,0030)\n';
const STEPS = ['node only', 'seal stream', 'C-STORE writer', 'site pass (sealed)', 'site pass (plaintext)', 'unseal move'] as const;
type Step = (typeof STEPS)[number];

async function buildFile(path: string, mb: number): Promise<void> {
  await writeSyntheticFile(path, { rows: 512, columns: 512, pixelDataBytes: mb * 1024 * 1024, elements: { PatientName: 'Bench^Seal', PatientID: 'BENCH-1' } });
}

/** Runs one step in this process (the child). */
async function runStep(step: Step, work: string, keys: string): Promise<void> {
  const cipher = new StagingCipher(parseKeyList(keys, 'bench'));
  const plain = join(work, 'plain.dcm');
  const sealed = join(work, 'sealed.dcm');
  const script = { id: 1, version: 1, text: SITE_SCRIPT, sha256: 'bench', enabled: true } as unknown as Parameters<typeof runScriptOnFile>[0];
  const ctx = { project: 'P', subject: 'S', session: 'E' };
  switch (step) {
    case 'node only':
      return;
    case 'seal stream':
      await pipeline(createReadStream(plain), cipher.sealStream(), createWriteStream(sealed));
      return;
    case 'C-STORE writer': {
      const w = new StagedFileWriter(join(work, 'rx.dcm'), Buffer.alloc(0), cipher.sealer());
      for await (const piece of createReadStream(plain, { highWaterMark: 128 * 1024 })) {
        if (!w.write(piece)) await once(w, 'drain');
      }
      w.end();
      await finished(w);
      return;
    }
    case 'site pass (sealed)':
      await runScriptOnFile(script, sealed, join(work, 'out-sealed.dcm'), ctx, { open: (p) => cipher.openPlain(p) });
      return;
    case 'site pass (plaintext)':
      await runScriptOnFile(script, plain, join(work, 'out-plain.dcm'), ctx);
      return;
    case 'unseal move': {
      const store = new FileStore(work, cipher);
      await store.unsealMove('sealed.dcm', 'unsealed.dcm');
      return;
    }
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { mb: { type: 'string', default: '200' }, work: { type: 'string' }, step: { type: 'string' }, keys: { type: 'string' } } });
  if (values.step) {
    const t0 = process.hrtime.bigint();
    await runStep(values.step as Step, values.work!, values.keys!);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    process.stdout.write(JSON.stringify({ seconds, rssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
    return;
  }
  const mb = Number(values.mb);
  const work = values.work ?? join(tmpdir(), `staging-seal-bench-${process.pid}`);
  mkdirSync(work, { recursive: true });
  try {
    await buildFile(join(work, 'plain.dcm'), mb);
    const size = statSync(join(work, 'plain.dcm')).size;
    const keys = formatKeyList([newCodecKey()]);
    const rows = [];
    let sealedSize = 0;
    for (const step of STEPS) {
      const r = spawnSync(process.execPath, [...process.execArgv, __filename, '--step', step, '--work', work, '--keys', keys], { cwd: resolve(__dirname, '..'), encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`step ${step} failed: ${r.stderr.slice(-800)}`);
      const { seconds, rssMb } = JSON.parse(r.stdout.trim().split('\n').pop()!) as { seconds: number; rssMb: number };
      if (step === 'seal stream') sealedSize = statSync(join(work, 'sealed.dcm')).size;
      rows.push({ step, seconds: seconds.toFixed(2), 'MB/s': step === 'node only' ? '' : (size / 1024 / 1024 / seconds).toFixed(0), 'peak RSS MB': rssMb.toFixed(0) });
    }
    process.stdout.write(`file: ${(size / 1024 / 1024).toFixed(0)} MB, sealed: ${(sealedSize / 1024 / 1024).toFixed(1)} MB\n`);
    console.table(rows);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

void main().catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
