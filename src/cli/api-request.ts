import { loadConfig } from '../config/load-config';

/** The base URL of the HTTP API: --url, else the configured host and port. */
export function apiBase(url: string | undefined): string {
  if (url) return url;
  const config = loadConfig();
  return `http://${config.http.host}:${config.http.port}`;
}

/** One JSON request to the API; a refused connection becomes a sentence saying what to start. */
export async function apiJson(base: string, method: string, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, { method });
  } catch (err) {
    throw new Error(`cannot reach ${base} (${(err as Error).cause ?? (err as Error).message}); is \`dicom-intake start\` running?`);
  }
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { error: text.trim() };
  }
  return { status: res.status, body };
}

/** Prints an API answer (JSON as is with --json, else `human`) and returns the exit code: 0 ok, 1 refused. */
export function report(command: string, r: { status: number; body: Record<string, unknown> }, json: boolean, human: (body: Record<string, unknown>) => string): number {
  const ok = r.status >= 200 && r.status < 300;
  if (json) process.stdout.write(JSON.stringify({ ok, status: r.status, ...r.body }) + '\n');
  else if (ok) process.stdout.write(human(r.body));
  else process.stderr.write(`dicom-intake ${command}: refused (HTTP ${r.status}): ${String(r.body.error ?? 'no reason given')}\n`);
  return ok ? 0 : 1;
}
