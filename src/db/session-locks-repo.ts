import type { Knex } from 'knex';
import { nowIso } from './clock';

/**
 * One lock row per archived session, held by the workflow that archives into it or edits it. Taken and freed by
 * activities (so the lock is durable across worker crashes) and keyed by the owner's workflow id (so a retried
 * activity finds the lock its own).
 */
export function createSessionLocksRepo(db: Knex) {
  return {
    /** Takes the lock of every session in `sessionIds` for `owner`, all or none; returns the holder that refused, if any. */
    async acquire(sessionIds: string[], owner: string): Promise<{ ok: true } | { ok: false; heldBy: string; sessionId: string }> {
      return db.transaction(async (tx) => {
        for (const sessionId of [...sessionIds].sort()) {
          const row = await tx('session_locks').where({ session_id: sessionId }).forUpdate().first();
          if (row && row.owner !== owner) return { ok: false as const, heldBy: row.owner as string, sessionId };
          if (!row) await tx('session_locks').insert({ session_id: sessionId, owner, acquired_at: nowIso() });
        }
        return { ok: true as const };
      });
    },
    /**
     * Gives `sessionId`'s lock to `owner` if `from` still holds it (a holder found no longer running, see
     * activities/session-locks.ts); false when it has changed hands meanwhile.
     */
    async takeOver(sessionId: string, from: string, owner: string): Promise<boolean> {
      return (await db('session_locks').where({ session_id: sessionId, owner: from }).update({ owner, acquired_at: nowIso() })) === 1;
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
