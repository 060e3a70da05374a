// The token each test stack signs in with, by base URL, so that tests need not repeat it on every call.
const tokens = new Map<string, string>();

/** Makes `http` sign in to `base` with `token` (the test stack registers its site admin's token). */
export function useToken(base: string, token: string): void {
  tokens.set(base, token);
}

/** The base URL of the test stack started last in this file (for helpers called without one). */
export function lastStackBase(): string {
  const bases = [...tokens.keys()];
  if (!bases.length) throw new Error('no test stack has been started in this file');
  return bases[bases.length - 1];
}

/**
 * A small fetch wrapper for tests: status and text of one request to the test stack, signed in with the stack's
 * token unless `auth` says otherwise (`null`: no Authorization header; a string: that header value).
 */
export async function http(
  base: string,
  method: string,
  path: string,
  body?: string | Buffer,
  contentType = 'text/plain',
  auth?: string | null,
): Promise<{ status: number; text: string; headers: Headers }> {
  const token = tokens.get(base);
  const authorization = auth === undefined ? (token ? `Bearer ${token}` : undefined) : auth;
  const headers: Record<string, string> = {
    ...(body !== undefined && { 'content-type': contentType }),
    ...(authorization && { authorization }),
  };
  const res = await fetch(`${base}${path}`, { method, body, headers });
  return { status: res.status, text: await res.text(), headers: res.headers };
}
