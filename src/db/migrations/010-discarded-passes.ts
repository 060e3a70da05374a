import type { Knex } from 'knex';

// A project pass whose session then failed to archive is rolled back: its output file is deleted and the file goes
// back to its site-pass version, so the retry runs the (fixed) script on it once. The record of what ran stays,
// marked discarded_at, so that "one project pass per archived file" holds for the live records while the audit
// keeps the failed attempt. Plain builder calls: the same migration runs on SQLite and PostgreSQL.

/** Adds anonymization_passes.discarded_at (null while the pass's output is live). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('anonymization_passes', (t) => {
    t.string('discarded_at', 32);
  });
}

/** Drops anonymization_passes.discarded_at. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('anonymization_passes', (t) => {
    t.dropColumn('discarded_at');
  });
}
