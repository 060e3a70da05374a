import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { nowIso } from './clock';

/** Whose secret: the site pass's, or one project's. */
export type SecretOwner = { scope: 'site' } | { scope: 'project'; projectId: string };

const ownerKey = (o: SecretOwner) => (o.scope === 'site' ? 'site' : `project:${o.projectId}`);

/** Makes the owner's secret unless it exists (insert-or-ignore: a secret is never replaced). */
export async function ensureSecret(db: Knex, owner: SecretOwner): Promise<void> {
  await db('anonymization_secrets').insert({ owner: ownerKey(owner), secret: randomBytes(32).toString('hex'), created_at: nowIso() }).onConflict('owner').ignore();
}

/**
 * The de-identification secrets that key the profile's UID remap and date shift (invariant 6): random 32 bytes per
 * project and one for the site, made once and never changed (a new secret would give every UID a new mapping).
 * Read only by the pass activities; never returned by the API, logged, or put in a workflow payload.
 */
export function createSecretsRepo(db: Knex) {
  return {
    /**
     * The owner's secret (hex), made on first use. Race-safe: two first uses insert-or-ignore, then both read the
     * one row that won. Projects get theirs at creation (projects-repo); this also covers older projects.
     */
    async secretOf(owner: SecretOwner): Promise<string> {
      await ensureSecret(db, owner);
      const row = await db('anonymization_secrets').where({ owner: ownerKey(owner) }).first();
      return String(row.secret);
    },
  };
}
/** The secrets repository. */
export type SecretsRepo = ReturnType<typeof createSecretsRepo>;
