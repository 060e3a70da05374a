import { spawn } from 'node:child_process';

/** Result of one dcmtk storescu or echoscu run. */
export interface ScuRun {
  code: number | null;
  output: string;
}

/** Runs dcmtk's storescu (or echoscu with no files) against a receiver, Nagle off as the reference measured. */
export function runScu(tool: 'storescu' | 'echoscu', args: { port: number; callingAe: string; calledAe: string; files?: string[]; extra?: string[] }): { done: Promise<ScuRun>; pid: number | undefined; kill: () => void } {
  const child = spawn(tool, ['-aet', args.callingAe, '-aec', args.calledAe, ...(args.extra ?? []), '127.0.0.1', String(args.port), ...(args.files ?? [])], {
    env: { ...process.env, TCP_NODELAY: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const done = new Promise<ScuRun>((resolve) => child.on('close', (code) => resolve({ code, output })));
  return { done, pid: child.pid, kill: () => child.kill('SIGKILL') };
}
