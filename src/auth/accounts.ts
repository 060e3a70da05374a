import { randomBytes } from 'node:crypto';
import type { Repositories } from '../db/repositories';
import type { Principal } from '../domain/access';
import { isValidLabel } from '../domain/labels';
import { looksLikeApiToken, newApiToken, tokenHash } from './api-token';
import { hashPassword, verifyPassword } from './password-hash';

/** A login or password that cannot be used; the message says why (never echoing the password). */
export class AccountError extends Error {
  override readonly name = 'AccountError';
}

const MIN_PASSWORD = 12;

/** Creates a user; a password (optional: token-only users) must have at least 12 characters. */
export async function createUser(repos: Repositories, args: { login: string; password?: string; siteAdmin?: boolean }) {
  if (!isValidLabel(args.login)) throw new AccountError(`login ${JSON.stringify(args.login)} is not valid: use letters, digits, '_' and '-'`);
  if (args.password !== undefined && args.password.length < MIN_PASSWORD) throw new AccountError(`the password must have at least ${MIN_PASSWORD} characters`);
  if (await repos.users.byLogin(args.login)) throw new AccountError(`user ${args.login} exists already`);
  return repos.users.create({ login: args.login, passwordHash: args.password === undefined ? null : await hashPassword(args.password), siteAdmin: args.siteAdmin ?? false });
}

/** Issues a new API token for the user: the token is returned once, only its hash is kept. */
export async function issueToken(repos: Repositories, userId: string): Promise<{ id: string; token: string }> {
  const token = newApiToken();
  const info = await repos.users.addToken(userId, tokenHash(token));
  return { id: info.id, token };
}

/**
 * The principal behind an Authorization header: `Bearer TOKEN`, or HTTP Basic with a token or a password as the
 * secret (XNAT clients send Basic). Undefined when the header is missing or the credentials do not match.
 */
export async function principalFromHeader(repos: Repositories, header: string | undefined): Promise<Principal | undefined> {
  if (!header) return undefined;
  const [scheme, value] = header.trim().split(/\s+/, 2);
  if (!value) return undefined;
  if (/^bearer$/i.test(scheme)) return repos.users.principalForToken(tokenHash(value));
  if (!/^basic$/i.test(scheme)) return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return principalFromLogin(repos, decoded.slice(0, colon), decoded.slice(colon + 1));
}

// Hashed once, on first use: an unknown login still costs a full scrypt, so the answer time does not tell which
// logins exist.
let dummyHash: Promise<string> | undefined;

/**
 * The principal behind a login and a secret (a password, or one of the user's API tokens, as HTTP Basic accepts);
 * undefined when they do not match, the login is unknown or the account is disabled — the caller cannot tell which.
 */
export async function principalFromLogin(repos: Repositories, login: string, secret: string): Promise<Principal | undefined> {
  if (looksLikeApiToken(secret)) {
    const principal = await repos.users.principalForToken(tokenHash(secret));
    return principal?.login === login ? principal : undefined;
  }
  const user = await repos.users.byLogin(login);
  if (!user?.passwordHash) {
    dummyHash ??= hashPassword(randomBytes(16).toString('base64'));
    await verifyPassword(secret, await dummyHash);
    return undefined;
  }
  if (!(await verifyPassword(secret, user.passwordHash))) return undefined;
  return repos.users.principal(user.id);
}

/** Changes a user's password (at least 12 characters); every page session of the user ends. */
export async function changePassword(repos: Repositories, userId: string, password: string): Promise<void> {
  if (password.length < MIN_PASSWORD) throw new AccountError(`the password must have at least ${MIN_PASSWORD} characters`);
  await repos.users.setPassword(userId, await hashPassword(password));
}

/**
 * On a site with no users, creates the site admin `admin` with a random password and a token, and returns them
 * so the start command can show them once. Nothing is open by default: every endpoint but health needs them.
 */
export async function ensureSiteAdmin(repos: Repositories): Promise<{ login: string; password: string; token: string } | undefined> {
  if ((await repos.users.count()) > 0) return undefined;
  const password = randomBytes(12).toString('base64url');
  const user = await createUser(repos, { login: 'admin', password, siteAdmin: true });
  const { token } = await issueToken(repos, user.id);
  return { login: user.login, password, token };
}
