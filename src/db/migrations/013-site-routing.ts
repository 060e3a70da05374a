import type { Knex } from 'knex';

// The site routing rules (XNAT's projectRules / subjectRules / sessionRules, reference §3.3) set by a site admin at
// run time. Every save is a new row; the newest one is in effect. Until the first save, the rules of the
// configuration (dicom.routing.*) apply. Plain builder calls: the same migration runs on SQLite and PostgreSQL.

/** Creates site_routing_rules. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('site_routing_rules', (t) => {
    t.increments('id').primary();
    // One rule per line, as in the configuration.
    t.text('project_rules').notNullable();
    t.text('subject_rules').notNullable();
    t.text('session_rules').notNullable();
    t.string('saved_by', 128).notNullable();
    t.string('saved_at', 32).notNullable();
  });
}

/** Drops site_routing_rules. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('site_routing_rules');
}
