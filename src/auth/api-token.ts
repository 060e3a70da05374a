import { createHash, randomBytes } from 'node:crypto';

const PREFIX = 'dit_';

/** A new API token: shown to its owner once; only its hash is stored. */
export function newApiToken(): string {
  return PREFIX + randomBytes(32).toString('base64url');
}

/** The stored form of a token: its SHA-256 (a token is random, so no salt or slow hash is needed). */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** True when the text has the shape of one of our tokens (so Basic auth can tell a token from a password). */
export function looksLikeApiToken(text: string): boolean {
  return text.startsWith(PREFIX) && text.length > PREFIX.length + 20;
}
