/**
 * Entry of an anonymize worker thread (anonymize-pool.ts): compiles the batch's settings, takes files from the
 * shared counter until none is left, and posts their outcomes back in one message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { requestFor, runJobs } from './batch-file';
import type { PoolWorkerData, PoolWorkerResult } from './anonymize-pool';

async function work(data: PoolWorkerData): Promise<void> {
  const result: PoolWorkerResult = [];
  await runJobs(data.jobs, requestFor(data.settings), () => Atomics.add(data.counter, 0, 1), (at, outcome) => result.push([at, outcome]));
  parentPort?.postMessage(result);
}

if (parentPort !== null) void work(workerData as PoolWorkerData);
