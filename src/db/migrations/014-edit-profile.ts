import type { Knex } from 'knex';

// The PS3.15 profile setting an edit applies with the project script: set when a session moves into a project whose
// profile its files did not get (activities/edit-activities.ts), null otherwise. Plain builder calls: the same
// migration runs on SQLite and PostgreSQL.

/** Adds session_edits.profile_id. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('session_edits', (t) => {
    t.integer('profile_id').nullable();
  });
}

/** Drops session_edits.profile_id. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('session_edits', (t) => {
    t.dropColumn('profile_id');
  });
}
