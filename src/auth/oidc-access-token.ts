import { createPublicKey, verify as verifySignature, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { OidcConfig } from '../config/load-config';

/** An access token that is not accepted; the message says why (never echoing the token). */
export class AccessTokenError extends Error {
  override readonly name = 'AccessTokenError';
}

/** Signature algorithms accepted (asymmetric only: `none` and shared-secret HS* are refused). */
const ALGORITHMS = { RS256: 'RSA', ES256: 'EC' } as const;
type Algorithm = keyof typeof ALGORITHMS;

// Clocks of the issuer and this server may differ a little.
const CLOCK_SKEW_S = 60;
// A JWKS URL is fetched again at most this often (keys rotate rarely; an unknown kid triggers a refetch).
const JWKS_TTL_MS = 10 * 60_000;
const JWKS_REFETCH_MS = 60_000;

interface Jwk extends JsonWebKey {
  kid?: string;
  kty?: string;
  use?: string;
  alg?: string;
}

/** True when the text has the shape of a compact JWS (three base64url parts). */
export function looksLikeJwt(text: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(text);
}

function decodePart(part: string, what: string): Record<string, unknown> {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new AccessTokenError(`the access token's ${what} is not a JSON object`);
}

/**
 * Verifies OIDC access tokens (JWT, RS256 or ES256) against the configured issuer, audience and signing keys (a
 * JWKS file, read on each miss, or an https URL, cached), and returns the dicom-intake login named by the
 * configured claim.
 */
export function createAccessTokenVerifier(config: OidcConfig, clock: () => number = Date.now): (token: string) => Promise<string> {
  let cached: { keys: Jwk[]; at: number } | undefined;
  const loadKeys = async (refresh: boolean): Promise<Jwk[]> => {
    const isUrl = /^https:\/\//i.test(config.jwks);
    const fresh = cached && clock() - cached.at < (refresh ? JWKS_REFETCH_MS : JWKS_TTL_MS);
    if (isUrl && fresh && cached) return cached.keys;
    let text: string;
    try {
      text = isUrl ? await (await fetch(config.jwks, { signal: AbortSignal.timeout(10_000) })).text() : await readFile(config.jwks, 'utf8');
    } catch (err) {
      throw new AccessTokenError(`the signing keys (codec.oidcJwks) could not be read: ${(err as Error).message}`);
    }
    const keys = (JSON.parse(text) as { keys?: Jwk[] }).keys;
    if (!Array.isArray(keys)) throw new AccessTokenError('codec.oidcJwks holds no "keys" array');
    cached = { keys, at: clock() };
    return keys;
  };
  const keyFor = async (alg: Algorithm, kid: unknown): Promise<KeyObject> => {
    const pick = (keys: Jwk[]) => keys.filter((k) => k.kty === ALGORITHMS[alg] && k.use !== 'enc' && (kid === undefined || k.kid === kid));
    let found = pick(await loadKeys(false));
    if (found.length === 0) found = pick(await loadKeys(true));
    if (found.length !== 1) throw new AccessTokenError(kid === undefined ? 'the access token names no key (kid) and the key set does not hold exactly one key for it' : 'the access token is signed with a key the issuer does not list');
    return createPublicKey({ key: found[0], format: 'jwk' });
  };

  return async (token: string) => {
    if (!looksLikeJwt(token)) throw new AccessTokenError('the access token is not a JWT');
    const [h, p, s] = token.split('.');
    const header = decodePart(h, 'header');
    const alg = String(header.alg);
    if (!(alg in ALGORITHMS)) throw new AccessTokenError(`access tokens signed with ${alg} are not accepted (RS256 or ES256 only)`);
    const key = await keyFor(alg as Algorithm, header.kid);
    const signed = Buffer.from(`${h}.${p}`);
    // ES256 signatures are the raw r||s pair (JWS), not DER.
    const ok = verifySignature('sha256', signed, alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key, Buffer.from(s, 'base64url'));
    if (!ok) throw new AccessTokenError('the access token signature does not verify');
    const claims = decodePart(p, 'payload');
    const now = clock() / 1000;
    if (claims.iss !== config.issuer) throw new AccessTokenError('the access token comes from another issuer');
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.includes(config.audience)) throw new AccessTokenError('the access token is meant for another audience');
    if (typeof claims.exp !== 'number' || claims.exp < now - CLOCK_SKEW_S) throw new AccessTokenError('the access token has expired (or has no expiry)');
    if (typeof claims.nbf === 'number' && claims.nbf > now + CLOCK_SKEW_S) throw new AccessTokenError('the access token is not valid yet');
    const login = claims[config.userClaim];
    if (typeof login !== 'string' || !login) throw new AccessTokenError(`the access token has no "${config.userClaim}" claim naming the user`);
    return login;
  };
}
