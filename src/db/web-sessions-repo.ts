import type { Knex } from 'knex';
import { newId } from '../domain/ids';

/** A live sign-in session of the web pages: never the cookie value itself, which is stored as a hash. */
export interface WebSession {
  id: string;
  userId: string;
  /** The per-session token every state-changing request of the pages must echo (CSRF). */
  csrfToken: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- rows are mapped field by field below */
const toSession = (r: any): WebSession => ({ id: r.id, userId: r.user_id, csrfToken: r.csrf_token, createdAt: r.created_at, lastSeenAt: r.last_seen_at, expiresAt: r.expires_at });
/* eslint-enable @typescript-eslint/no-explicit-any */

/** Sign-in sessions of the pages, by the SHA-256 of their cookie value. Times are ISO-8601 text (compare as text). */
export function createWebSessionsRepo(db: Knex) {
  return {
    async create(args: { userId: string; tokenHash: string; csrfToken: string; now: string; expiresAt: string }): Promise<WebSession> {
      const row = { id: newId('wss'), user_id: args.userId, token_hash: args.tokenHash, csrf_token: args.csrfToken, created_at: args.now, last_seen_at: args.now, expires_at: args.expiresAt };
      await db('web_sessions').insert(row);
      return toSession(row);
    },
    /** The session behind a cookie hash unless it has expired or been idle since before `idleSince`. */
    async live(tokenHash: string, now: string, idleSince: string): Promise<WebSession | undefined> {
      const row = await db('web_sessions').where({ token_hash: tokenHash }).andWhere('expires_at', '>', now).andWhere('last_seen_at', '>', idleSince).first();
      return row ? toSession(row) : undefined;
    },
    /** Records activity on a session (the idle timeout counts from here). */
    async touch(id: string, now: string): Promise<void> {
      await db('web_sessions').where({ id }).update({ last_seen_at: now });
    },
    /** Ends the session behind a cookie hash (sign-out). */
    async revoke(tokenHash: string): Promise<void> {
      await db('web_sessions').where({ token_hash: tokenHash }).delete();
    },
    /** Removes sessions that can no longer be used; returns how many. */
    async purge(now: string, idleSince: string): Promise<number> {
      return db('web_sessions').where('expires_at', '<=', now).orWhere('last_seen_at', '<=', idleSince).delete();
    },
  };
}
/** The web sessions repository. */
export type WebSessionsRepo = ReturnType<typeof createWebSessionsRepo>;
