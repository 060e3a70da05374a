import { randomBytes } from 'node:crypto';
import type { Repositories } from '../db/repositories';
import type { WebSession } from '../db/web-sessions-repo';
import type { Principal } from '../domain/access';
import { tokenHash } from './api-token';

/** The cookie holding the session id (HttpOnly: scripts never see it). */
export const SESSION_COOKIE = 'dicom_intake_session';
/** The cookie holding the session's CSRF token, readable by the pages' script, which echoes it in X-CSRF-Token. */
export const CSRF_COOKIE = 'dicom_intake_csrf';

/** How long sessions live (config `web.*`). */
export interface WebSessionSettings {
  maxAgeSeconds: number;
  idleSeconds: number;
  /** Always mark the cookies Secure (they are anyway on a request that came over https). */
  secureCookie: boolean;
}

/** Defaults of config `web.*`: 12 hours at most, 30 minutes idle. */
export const DEFAULT_WEB_SESSION_SETTINGS: WebSessionSettings = { maxAgeSeconds: 12 * 3600, idleSeconds: 30 * 60, secureCookie: false };

const iso = (ms: number) => new Date(ms).toISOString();

/** Starts a session for a signed-in user: the cookie value (shown to the browser once, stored as a hash) and its CSRF token. */
export async function startWebSession(repos: Repositories, userId: string, settings: WebSessionSettings, now = Date.now()): Promise<{ cookieValue: string; session: WebSession }> {
  const cookieValue = randomBytes(32).toString('base64url');
  // Ended sessions are removed as new ones begin, so the table holds about as many rows as there are live ones.
  await repos.webSessions.purge(iso(now), iso(now - settings.idleSeconds * 1000));
  const session = await repos.webSessions.create({
    userId,
    tokenHash: tokenHash(cookieValue),
    csrfToken: randomBytes(24).toString('base64url'),
    now: iso(now),
    expiresAt: iso(now + settings.maxAgeSeconds * 1000),
  });
  return { cookieValue, session };
}

/**
 * The live session and its user behind a cookie value, or undefined (unknown, signed out, expired, idle too long,
 * user disabled). Each use moves the idle deadline; the write is skipped when the last one is recent.
 */
export async function resolveWebSession(repos: Repositories, cookieValue: string, settings: WebSessionSettings, now = Date.now()): Promise<{ session: WebSession; principal: Principal } | undefined> {
  const session = await repos.webSessions.live(tokenHash(cookieValue), iso(now), iso(now - settings.idleSeconds * 1000));
  if (!session) return undefined;
  const principal = await repos.users.principal(session.userId);
  if (!principal) return undefined;
  // One write a minute at most (or a tenth of the idle time): the idle deadline need not be exact to the second.
  if (now - Date.parse(session.lastSeenAt) > Math.min(60_000, settings.idleSeconds * 100)) await repos.webSessions.touch(session.id, iso(now));
  return { session, principal };
}

/** Ends the session behind a cookie value (nothing happens when there is none). */
export async function endWebSession(repos: Repositories, cookieValue: string): Promise<void> {
  await repos.webSessions.revoke(tokenHash(cookieValue));
}

/** One cookie's value from a Cookie header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * Set-Cookie values for a new session (or, with `session` undefined, ones that delete both cookies). SameSite=Strict:
 * a request started by another site carries neither cookie; Secure when served over https.
 */
export function sessionCookies(session: { cookieValue: string; csrfToken: string; maxAgeSeconds: number } | undefined, secure: boolean): string[] {
  const attrs = `Path=/; SameSite=Strict${secure ? '; Secure' : ''}; Max-Age=${session ? session.maxAgeSeconds : 0}`;
  return [`${SESSION_COOKIE}=${session?.cookieValue ?? ''}; HttpOnly; ${attrs}`, `${CSRF_COOKIE}=${session?.csrfToken ?? ''}; ${attrs}`];
}
