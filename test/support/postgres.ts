import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = resolve(__dirname, '../../scripts/postgres-test-server.sh');
// initdb and start take about a second; the script bounds its own waits at 30 s, this is a backstop.
const SCRIPT_TIMEOUT_MS = 90_000;

/** A throwaway PostgreSQL cluster: its connection URL and how to stop it (which also deletes its files). */
export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}

async function script(action: 'start' | 'stop', dir: string): Promise<string> {
  try {
    const { stdout } = await run('bash', [SCRIPT, action, dir], { timeout: SCRIPT_TIMEOUT_MS });
    return stdout.trim();
  } catch (err) {
    // Surface the script's own message (what failed and what to install), not just "Command failed".
    const e = err as { stderr?: string; message: string };
    throw new Error(`scripts/postgres-test-server.sh ${action} ${dir} failed:\n${e.stderr?.trim() || e.message}`);
  }
}

/**
 * Starts a fresh PostgreSQL cluster in a temp folder via scripts/postgres-test-server.sh. One cluster per
 * call, so every caller gets an empty `postgres` database and no cleanup between tests is needed.
 * Throws with the script's message when PostgreSQL cannot start: a PostgreSQL test must fail, not skip.
 */
export async function startPostgres(): Promise<TestPostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'dicom-intake-pg-'));
  let url: string;
  try {
    url = await script('start', dir);
  } catch (err) {
    // A half-made cluster (initdb ran, start failed) is stopped and removed; a folder the script never
    // marked as its own is just an empty temp folder.
    await script('stop', dir).catch(() => rm(dir, { recursive: true, force: true }));
    throw err;
  }
  return { url, stop: () => script('stop', dir).then(() => undefined) };
}
