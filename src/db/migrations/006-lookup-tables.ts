import type { Knex } from 'knex';

// DicomEdit lookup tables (`lookup[table, key]`) that a site admin or a project owner uploads: versioned like the
// scripts (every save is a new row, so a pass points at the exact text it ran with). Their contents map identifiers
// to codes (PHI): they live only here, are read by the pass activities, and never travel through Temporal.
// anonymization_passes.lookup_sha256 records which table versions a pass ran with; session_edits pins the versions
// an edit's re-pass and apply step use (as it pins the script), so a table saved mid-edit cannot split them.

/** Adds lookup_tables, anonymization_passes.lookup_sha256 and the edits' pinned table versions. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('lookup_tables', (t) => {
    t.increments('id').primary();
    t.string('scope', 16).notNullable(); // site | project
    t.string('project_id', 64);
    t.integer('version').notNullable();
    t.text('text').notNullable();
    t.string('sha256', 64).notNullable();
    t.integer('entries').notNullable();
    t.string('created_at', 32).notNullable();
    t.index(['scope', 'project_id']);
  });
  await knex.schema.alterTable('anonymization_passes', (t) => {
    t.string('lookup_sha256', 64);
  });
  await knex.schema.alterTable('session_edits', (t) => {
    t.integer('lookup_site_id');
    t.integer('lookup_project_id');
  });
}

/** Drops them. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('session_edits', (t) => {
    t.dropColumn('lookup_site_id');
    t.dropColumn('lookup_project_id');
  });
  await knex.schema.alterTable('anonymization_passes', (t) => {
    t.dropColumn('lookup_sha256');
  });
  await knex.schema.dropTable('lookup_tables');
}
