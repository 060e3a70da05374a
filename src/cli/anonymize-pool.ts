/**
 * Runs an anonymize batch on this thread and, for a batch large enough to pay for their start-up, on worker
 * threads too (one per extra core by default): each file is independent and its output deterministic, so which
 * thread writes it changes nothing. All threads take the next file from one shared counter (work stealing), so a
 * worker that is still starting, or a core taken by something else, simply does fewer files.
 */
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DeidentifyRequest } from '../activities/deidentify-file';
import { runJobs, type BatchJob, type BatchSettings, type FileOutcome } from './batch-file';

/**
 * Files per thread below which another thread costs more than it saves: each thread warms up its own V8 isolate.
 * Measured on a quiet 2-vCPU machine with CT_small copies (docs/profile.md, Third round): 500 files took 0.28 s on
 * one thread and 0.32 s on two; 2,000 files 0.83-0.91 s on either.
 */
const MIN_FILES_PER_THREAD = 1000;
const MAX_THREADS = 4;

/** What a worker thread is given (anonymize-worker.ts). */
export interface PoolWorkerData {
  readonly jobs: readonly BatchJob[];
  readonly settings: BatchSettings;
  /** Int32Array over a SharedArrayBuffer: [0] is the next job index to claim. */
  readonly counter: Int32Array;
}

/** [job index, outcome] pairs a worker posts when it has no more jobs to claim. */
export type PoolWorkerResult = Array<[number, FileOutcome]>;

/**
 * The number of threads for `files` files: `requested` (--jobs), else one per idle core (cores minus the 1-minute
 * load average, as `make -l` reasons), at most 4, fewer for a small batch. Each thread warms up its own V8 isolate
 * (0.3-0.5 s of CPU for small files), which pays only on a core that is otherwise idle: on a loaded machine one
 * thread was as fast or faster (docs/profile.md, Benchmark).
 */
export function threadCount(files: number, requested: number | undefined): number {
  if (requested !== undefined) return Math.max(1, Math.min(requested, files));
  const cores = availableParallelism();
  const idle = Math.round(cores - loadavg()[0]!);
  return Math.max(1, Math.min(cores, idle, MAX_THREADS, Math.floor(files / MIN_FILES_PER_THREAD)));
}

/** Runs every job on `threads` threads (this one included); resolves to the outcomes in job order. */
export async function runPool(jobs: readonly BatchJob[], settings: BatchSettings, request: DeidentifyRequest, threads: number): Promise<FileOutcome[]> {
  const outcomes: Array<FileOutcome | undefined> = new Array(jobs.length);
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const claim = (): number => Atomics.add(counter, 0, 1);
  const record = (at: number, outcome: FileOutcome): void => {
    outcomes[at] = outcome;
  };
  const workers = Array.from({ length: threads - 1 }, () => startWorker({ jobs, settings, counter }, record));
  await Promise.all([runJobs(jobs, request, claim, record), ...workers]);
  // A worker that failed (it cannot start, runs out of memory) leaves its claimed files without an outcome: they
  // are done here. Writes are atomic and deterministic, so redoing one that it had written changes nothing.
  const missing = outcomes.flatMap((o, at) => (o === undefined ? [at] : []));
  let next = 0;
  await runJobs(jobs, request, () => missing[next++] ?? jobs.length, record);
  return outcomes as FileOutcome[];
}

/** Starts one worker; resolves when it has exited (its outcomes recorded), whether it succeeded or not. */
function startWorker(data: PoolWorkerData, record: (at: number, outcome: FileOutcome) => void): Promise<void> {
  // The bundle (dist/) and the tsc-free sources (tsx) both have the worker beside this module.
  const entry = join(__dirname, __filename.endsWith('.ts') ? 'anonymize-worker.ts' : 'anonymize-worker.js');
  const worker = __filename.endsWith('.ts')
    ? new Worker(`require('tsx/cjs'); require(${JSON.stringify(entry)});`, { eval: true, workerData: data })
    : new Worker(entry, { workerData: data });
  return new Promise((resolve) => {
    worker.on('message', (result: PoolWorkerResult) => {
      for (const [at, outcome] of result) record(at, outcome);
    });
    worker.on('error', () => undefined); // its files are redone by the caller
    worker.on('exit', () => resolve());
  });
}
