import { loadConfig } from '../config/load-config';
import { resolveCliToken } from './credentials';

/** Where and as whom a CLI command talks to the API: --url (else the configured host and port) and its token. */
export interface ApiTarget {
  base: string;
  token: string | undefined;
}

/** The API target from --url and --token (else $DICOM_INTAKE_TOKEN, else the token `dicom-intake start` saved). */
export function apiTarget(url: string | undefined, token: string | undefined): ApiTarget {
  const config = loadConfig();
  return { base: url ?? `http://${config.http.host}:${config.http.port}`, token: resolveCliToken(token, config.dataDir) };
}

/** One JSON request to the API; a refused connection becomes a sentence saying what to start. */
export async function apiJson(target: ApiTarget, method: string, path: string, text?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const base = target.base;
  let res: Response;
  try {
    const headers: Record<string, string> = { ...(target.token && { authorization: `Bearer ${target.token}` }), ...(text !== undefined && { 'content-type': 'text/plain' }) };
    res = await fetch(`${base}${path}`, { method, headers, body: text });
  } catch (err) {
    throw new Error(`cannot reach ${base} (${(err as Error).cause ?? (err as Error).message}); is \`dicom-intake start\` running?`);
  }
  const answer = await res.text();
  let body: Record<string, unknown>;
  try {
    const parsed = JSON.parse(answer) as unknown;
    body = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { value: parsed };
  } catch {
    // Text answers (a script, XNAT's URL lists) are kept as text; an error's text is its reason.
    body = res.ok ? { text: answer } : { error: answer.trim() };
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
