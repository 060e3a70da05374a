import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { resolve } from 'node:path';

const BIN = resolve(__dirname, '../../bin/dicom-intake.js');

/**
 * A `dicom-intake worker` in its own process, so a test can SIGKILL it at any moment (a crash no in-process
 * worker can simulate) and start another. Its output goes to a log file, never to the test's output.
 */
export class WorkerProcess {
  private child: ChildProcess | undefined;
  /** Processes this object killed on purpose; any other exit counts as unexpected. */
  private readonly killed = new WeakSet<ChildProcess>();
  private readonly log: WriteStream;
  /** Times the process ended without being killed by us (e.g. it could not reach Temporal). */
  unexpectedExits = 0;

  constructor(
    private readonly env: Record<string, string>,
    private readonly bundlePath: string,
    logFile: string,
  ) {
    this.log = createWriteStream(logFile, { flags: 'a' });
  }

  /** The task queue the worker polls (from its environment). */
  get taskQueue(): string {
    return this.env.DICOM_INTAKE_TASK_QUEUE;
  }

  /** True while a worker process runs. */
  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts a worker; resolves once it polls (its start line), or rejects after `timeoutMs`. */
  async start(timeoutMs = 60_000): Promise<void> {
    const child = spawn(process.execPath, [BIN, 'worker', '--workflow-bundle', this.bundlePath], {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout!.pipe(this.log, { end: false });
    child.stderr!.pipe(this.log, { end: false });
    child.once('exit', () => {
      if (!this.killed.has(child)) this.unexpectedExits++;
    });
    await new Promise<void>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`the worker did not start polling within ${timeoutMs} ms`)), timeoutMs);
      const onData = (chunk: Buffer) => {
        if (chunk.toString().includes('worker polling task queue')) {
          clearTimeout(timer);
          child.stderr!.off('data', onData);
          res();
        }
      };
      child.stderr!.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        rej(new Error(`the worker exited during start (code ${code}, signal ${signal})`));
      });
    });
  }

  /** Kills the worker with `signal` (SIGKILL: no shutdown, no cleanup) and waits for it to be gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    this.killed.add(child);
    const gone = new Promise<void>((res) => child.once('exit', () => res()));
    child.kill(signal);
    await gone;
  }

  /** Stops the worker gracefully and closes the log. */
  async stop(): Promise<void> {
    await this.kill('SIGTERM');
    this.log.end();
  }
}
