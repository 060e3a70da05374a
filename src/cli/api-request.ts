import { loadConfig } from '../config/load-config';
import { cliTokenFile, resolveCliToken } from './credentials';

/** Where and as whom a CLI command talks to the API: --url (else the configured host and port) and its token. */
export interface ApiTarget {
  base: string;
  token: string | undefined;
  /** The token file `dicom-intake start` writes on this machine (named in sign-in hints). */
  tokenFile?: string;
}

/** The API target from --url and --token (else $DICOM_INTAKE_TOKEN, else the token `dicom-intake start` saved). */
export function apiTarget(url: string | undefined, token: string | undefined): ApiTarget {
  const config = loadConfig();
  return { base: url ?? `http://${config.http.host}:${config.http.port}`, token: resolveCliToken(token, config.dataDir), tokenFile: cliTokenFile(config.dataDir) };
}

/** What to do when the server does not answer. */
export const NOT_REACHED_HINT = 'is `dicom-intake start` running, or is the server elsewhere (--url URL)?';

/** What to do after a 401: the CLI knows whether it sent a token at all, the server does not say how to get one. */
export function signInHint(target: ApiTarget): string {
  const issue = `get one with \`curl -u LOGIN -X POST ${target.base}/api/tokens\` and your password`;
  if (target.token) return `the token sent (--token, $DICOM_INTAKE_TOKEN or the saved token file) was not accepted; pass a current one (${issue})`;
  const saved = target.tokenFile ? ` (it saves ${target.tokenFile})` : '';
  return `no API token was found: pass --token TOKEN or set DICOM_INTAKE_TOKEN (${issue}), or run \`dicom-intake start\` on this machine once${saved}`;
}

/**
 * One request to the API (a text body, or a multipart form), its answer read as JSON; a refused connection becomes a
 * status 0 with a sentence saying what to start, a 401 says how to sign in.
 */
export async function apiJson(target: ApiTarget, method: string, path: string, text?: string | FormData): Promise<{ status: number; body: Record<string, unknown> }> {
  const base = target.base;
  let res: Response;
  try {
    const headers: Record<string, string> = { ...(target.token && { authorization: `Bearer ${target.token}` }), ...(typeof text === 'string' && { 'content-type': 'text/plain' }) };
    res = await fetch(`${base}${path}`, { method, headers, body: text });
  } catch (err) {
    // Status 0: no answer at all; with --json this is still one { ok: false, error } object on stdout.
    return { status: 0, body: { error: `cannot reach ${base} (${(err as Error).cause ?? (err as Error).message}); ${NOT_REACHED_HINT}` } };
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
  if (res.status === 401) body = { ...body, error: `${String(body.error ?? 'sign-in needed')}; ${signInHint(target)}` };
  return { status: res.status, body };
}

/** Prints an API answer (JSON as is with --json, else `human`) and returns the exit code: 0 ok, 1 refused. */
export function report(command: string, r: { status: number; body: Record<string, unknown> }, json: boolean, human: (body: Record<string, unknown>) => string): number {
  const ok = r.status >= 200 && r.status < 300;
  if (json) process.stdout.write(JSON.stringify({ ok, status: r.status, ...r.body }) + '\n');
  else if (ok) process.stdout.write(human(r.body));
  else if (r.status === 0) process.stderr.write(`dicom-intake ${command}: ${String(r.body.error)}\n`);
  else process.stderr.write(`dicom-intake ${command}: refused (HTTP ${r.status}): ${String(r.body.error ?? 'no reason given')}\n`);
  return ok ? 0 : 1;
}
