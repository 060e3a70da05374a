import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Connection } from '@temporalio/client';

/** How to start the embedded Temporal dev server. */
export interface DevServerOptions {
  /** Path of the `temporal` CLI (scripts/setup-temporal.sh puts it at .tools/temporal). */
  cli: string;
  ip: string;
  port: number;
  namespace: string;
  /** Persistence file; omit for in-memory (tests). */
  dbFile?: string;
  /** Web UI port; omit for a headless server (tests). */
  uiPort?: number;
  /** Codec endpoint the Web UI calls to decode payloads. */
  uiCodecEndpoint?: string;
  searchAttributes: Record<string, string>;
  /** How long to wait for the server to answer; the testing package's 5 s is too short on 2 cores. */
  readyTimeoutMs?: number;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** `quiet`: the server's banner and lines are kept out of the terminal, and their tail is shown if start-up fails. */
  stdio?: 'inherit' | 'ignore' | 'quiet';
}

/** A started dev server: its address and how to stop it. */
export interface DevServer {
  address: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Default location of the CLI installed by scripts/setup-temporal.sh. */
export function defaultTemporalCli(): string {
  return process.env.TEMPORAL_CLI ?? resolve(__dirname, '../../.tools/temporal');
}

/** Starts `temporal server start-dev` on loopback and waits until its namespace answers. */
export async function startDevServer(o: DevServerOptions): Promise<DevServer> {
  if (!existsSync(o.cli)) {
    throw new Error(`Temporal CLI not found at ${o.cli}; run scripts/setup-temporal.sh (or set TEMPORAL_CLI)`);
  }
  const args = ['server', 'start-dev', '--ip', o.ip, '--port', String(o.port), '--namespace', o.namespace, '--log-level', o.logLevel ?? 'error'];
  if (o.dbFile) {
    mkdirSync(dirname(o.dbFile), { recursive: true });
    // WAL and NORMAL sync: the default rollback journal makes file persistence several times slower.
    args.push('--db-filename', o.dbFile, '--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=NORMAL', '--sqlite-pragma', 'busy_timeout=5000');
  }
  if (o.uiPort) {
    args.push('--ui-port', String(o.uiPort), '--ui-ip', o.ip);
    if (o.uiCodecEndpoint) args.push('--ui-codec-endpoint', o.uiCodecEndpoint);
  } else {
    args.push('--headless');
  }
  for (const [name, type] of Object.entries(o.searchAttributes)) args.push('--search-attribute', `${name}=${type}`);
  // Search attributes registered at start are usable at once; this refresh covers the rare cache lag.
  args.push('--dynamic-config-value', 'system.forceSearchAttributesCacheRefreshOnRead=true');

  const out = o.stdio === 'quiet' ? 'pipe' : (o.stdio ?? 'inherit');
  const child = spawn(o.cli, args, { stdio: ['ignore', out, out], detached: false });
  let tail = '';
  const keepTail = (c: Buffer) => (tail = (tail + c.toString('utf8')).slice(-2000));
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);
  const address = `${o.ip}:${o.port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await new Promise<void>((res) => {
      const t = setTimeout(() => {
        child.kill('SIGKILL');
        res();
      }, 10_000);
      child.once('exit', () => {
        clearTimeout(t);
        res();
      });
    });
  };
  const deadline = Date.now() + (o.readyTimeoutMs ?? 90_000);
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`the Temporal dev server exited during start-up with code ${child.exitCode} (is port ${o.port} or ${o.uiPort ?? '-'} in use?)${tail ? `; its last output:\n${tail}` : ''}`);
    }
    try {
      const c = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await c.workflowService.describeNamespace({ namespace: o.namespace });
      } finally {
        await c.close();
      }
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`the Temporal dev server did not answer on ${address} within ${(o.readyTimeoutMs ?? 90_000) / 1000}s`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return { address, process: child, stop };
}
