import type { Knex } from 'knex';

// A pass the upload client ran on the user's machine is recorded like a server pass (script id and sha256, the file
// it produced) with performed_by = 'client', so that the audit says who ran it and the server never repeats it.
// Plain builder calls: the same migration runs on SQLite and PostgreSQL.

/** Adds anonymization_passes.performed_by ('server' | 'client'). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('anonymization_passes', (t) => {
    t.string('performed_by', 16).notNullable().defaultTo('server');
  });
}

/** Drops anonymization_passes.performed_by. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('anonymization_passes', (t) => {
    t.dropColumn('performed_by');
  });
}
