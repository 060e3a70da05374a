import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http } from '../support/http';
import { startTestStack, type TestStack } from '../support/test-stack';

const UI = 'http://localhost:8233';
const ISSUER = 'https://id.test.invalid/realms/imaging';
const AUDIENCE = 'temporal-ui';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const payloads = { payloads: [{ metadata: { encoding: b64('json/plain') }, data: b64('{"uploadId":"up_1"}') }] };

/** A compact JWS signed with `key` (RS256 or ES256), as an identity provider issues an access token. */
function jwt(alg: 'RS256' | 'ES256', key: KeyObject, kid: string, claims: Record<string, unknown>): string {
  const part = (x: unknown) => Buffer.from(JSON.stringify(x)).toString('base64url');
  const input = `${part({ alg, typ: 'JWT', kid })}.${part(claims)}`;
  const signature = sign('sha256', Buffer.from(input), alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key);
  return `${input}.${signature.toString('base64url')}`;
}

describe('the codec endpoint for the Temporal Web UI: session cookies, OIDC access tokens, the static token', () => {
  let stack: TestStack;
  let dir: string;
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const now = () => Math.floor(Date.now() / 1000);
  const claims = (over: Record<string, unknown> = {}) => ({ iss: ISSUER, aud: [AUDIENCE, 'account'], exp: now() + 300, iat: now(), preferred_username: 'admin', ...over });
  const codec = (op: string, headers: Record<string, string>, body: unknown = payloads) =>
    fetch(`${stack.baseUrl}/codec/${op}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers }, body: JSON.stringify(body) });
  const signIn = async (login: string, password: string) => {
    const res = await fetch(`${stack.baseUrl}/ui/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ login, password }).toString() });
    return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'codec-auth-'));
    const jwks = { keys: [{ ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1', use: 'sig', alg: 'RS256' }, { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1', use: 'sig', alg: 'ES256' }] };
    await writeFile(join(dir, 'jwks.json'), JSON.stringify(jwks));
    stack = await startTestStack({
      DICOM_INTAKE_CODEC_TOKEN: 'codec-static-secret',
      DICOM_INTAKE_CODEC_OIDC_ISSUER: ISSUER,
      DICOM_INTAKE_CODEC_OIDC_AUDIENCE: AUDIENCE,
      DICOM_INTAKE_CODEC_OIDC_JWKS: join(dir, 'jwks.json'),
    });
    expect((await http(stack.baseUrl, 'POST', '/api/users', JSON.stringify({ login: 'member1', password: 'member-long-password' }), 'application/json')).status).toBe(201);
  });
  afterAll(async () => {
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("When the Web UI's browser sends a site admin's session cookie from an allowed origin, then it decodes with CORS headers; another origin gets none and is refused", async () => {
    const cookie = await signIn('admin', stack.adminPassword);
    const encoded = await codec('encode', { cookie, origin: UI });
    expect(encoded.status).toBe(200);
    expect(encoded.headers.get('access-control-allow-origin')).toBe(UI);
    expect(encoded.headers.get('access-control-allow-credentials')).toBe('true');
    const decoded = await codec('decode', { cookie, origin: UI }, await encoded.json());
    expect(decoded.status).toBe(200);
    expect(await decoded.json()).toEqual(payloads);

    const other = await codec('decode', { cookie, origin: 'http://evil.example' });
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('When the cookie belongs to a user who is not a site admin, or the session has ended, then decoding is refused', async () => {
    expect((await codec('decode', { cookie: await signIn('member1', 'member-long-password'), origin: UI })).status).toBe(403);
    expect((await codec('decode', { cookie: 'dicom_intake_session=not-a-session', origin: UI })).status).toBe(401);
    expect((await codec('decode', { origin: UI })).status).toBe(401);
  });

  it('When the Web UI passes an OIDC access token signed by the configured issuer (RS256 or ES256), then it decodes; a wrong signature, expiry, audience, issuer or algorithm is refused', async () => {
    const bearer = (t: string) => ({ authorization: `Bearer ${t}`, origin: UI });
    expect((await codec('decode', bearer(jwt('RS256', rsa.privateKey, 'rsa-1', claims())))).status).toBe(200);
    expect((await codec('decode', bearer(jwt('ES256', ec.privateKey, 'ec-1', claims({ aud: AUDIENCE }))))).status).toBe(200);

    const refused = async (token: string, why: RegExp) => {
      const res = await codec('decode', bearer(token));
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: string }).error).toMatch(why);
    };
    await refused(jwt('RS256', stranger.privateKey, 'rsa-1', claims()), /signature does not verify/);
    await refused(jwt('RS256', rsa.privateKey, 'rsa-1', claims({ exp: now() - 3600 })), /expired/);
    await refused(jwt('RS256', rsa.privateKey, 'rsa-1', claims({ aud: 'another-client' })), /another audience/);
    await refused(jwt('RS256', rsa.privateKey, 'rsa-1', claims({ iss: 'https://evil.example' })), /another issuer/);
    await refused(jwt('RS256', rsa.privateKey, 'unknown-kid', claims()), /key the issuer does not list/);
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', kid: 'rsa-1' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims())).toString('base64url')}.x`;
    await refused(unsigned, /not accepted \(RS256 or ES256 only\)/);
    // A valid token of a user without the right, or of no dicom-intake user.
    expect((await codec('decode', bearer(jwt('RS256', rsa.privateKey, 'rsa-1', claims({ preferred_username: 'member1' }))))).status).toBe(403);
    expect((await codec('decode', bearer(jwt('RS256', rsa.privateKey, 'rsa-1', claims({ preferred_username: 'ghost' }))))).status).toBe(401);
  });

  it('When the static codec token or a site admin API token is sent, then it still works; a wrong one does not', async () => {
    expect((await codec('decode', { authorization: 'Bearer codec-static-secret' })).status).toBe(200);
    expect((await codec('decode', { authorization: `Bearer ${stack.adminToken}` })).status).toBe(200);
    expect((await codec('decode', { authorization: 'Bearer codec-static-secreT' })).status).toBe(401);
  });

  it('When no OIDC settings are configured, then an access token is refused even when well signed', async () => {
    const plain = await startTestStack({ DICOM_INTAKE_CODEC_TOKEN: 'codec-static-secret' });
    try {
      const res = await fetch(`${plain.baseUrl}/codec/decode`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt('RS256', rsa.privateKey, 'rsa-1', claims())}` }, body: JSON.stringify(payloads) });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: string }).error).toMatch(/OIDC access tokens are not accepted here/);
    } finally {
      await plain.stop();
    }
  });
});
