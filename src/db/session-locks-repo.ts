import type { Knex } from 'knex';
import { nowIso } from './clock';

/**
 * One lock row per archived session, held by the workflow that archives into it or edits it. Taken and freed by
 * activities (so the lock is durable across worker crashes) and keyed by the owner's workflow id (so a retried
 * activity finds the lock its own).
 */
export function createSessionLocksRepo(db: Knex) {
  return {
    /**
     * Takes the lock of every session in `sessionIds` for `owner`, all or none; returns the holder that refused, if
     * any, with the time it (re)took the lock. A lock `owner` already holds is re-stamped: a new run of a workflow id
     * that held it (a retry) makes a takeover decided on the old run's state fail (takeOver compares the stamp).
     */
    async acquire(sessionIds: string[], owner: string): Promise<{ ok: true } | { ok: false; heldBy: string; sessionId: string; since: string }> {
      return db.transaction(async (tx) => {
        for (const sessionId of [...sessionIds].sort()) {
          const row = await tx('session_locks').where({ session_id: sessionId }).forUpdate().first();
          if (row && row.owner !== owner) return { ok: false as const, heldBy: row.owner as string, sessionId, since: row.acquired_at as string };
          if (!row) await tx('session_locks').insert({ session_id: sessionId, owner, acquired_at: nowIso() });
          else await tx('session_locks').where({ session_id: sessionId }).update({ acquired_at: nowIso() });
        }
        return { ok: true as const };
      });
    },
    /**
     * Gives `sessionId`'s lock to `owner` if `from` still holds it as stamped at `since` (a holder found no longer
     * running, see activities/session-locks.ts); false when it has changed hands or been re-stamped meanwhile.
     */
    async takeOver(sessionId: string, from: string, since: string, owner: string): Promise<boolean> {
      return (await db('session_locks').where({ session_id: sessionId, owner: from, acquired_at: since }).update({ owner, acquired_at: nowIso() })) === 1;
    },
    /** Frees every lock `owner` holds. */
    async releaseAll(owner: string): Promise<void> {
      await db('session_locks').where({ owner }).delete();
    },
    async holder(sessionId: string): Promise<string | undefined> {
      return (await db('session_locks').where({ session_id: sessionId }).first())?.owner;
    },
  };
}
/** The session locks repository. */
export type SessionLocksRepo = ReturnType<typeof createSessionLocksRepo>;
