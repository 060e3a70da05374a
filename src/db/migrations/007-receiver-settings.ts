import type { Knex } from 'knex';

// Receivers become site settings kept in the database (created and changed through the API, applied without a
// restart), so a row now holds the whole receiver: enabled, transfer syntaxes and idle time join the columns
// 001 made. temporal-dev.yaml seeds the table once per receiver id (receivers_seeded remembers which ids it
// seeded), so that an API change or removal is not undone by the file at the next start.
// A removed receiver keeps its row (removed_at set) until its port is reused: a study still open from it is
// imported with its routing rules.
// prearchive_sessions.study_key ties a RECEIVING row to the study workflow that is still collecting its files
// (a hash of front door + StudyInstanceUID, never the UID); it is null for every other row.
// received_files.params keeps the request parameters of a gradual-DICOM file (project, subject, session, …: what
// the client typed, never a header value) until its study is sealed into an upload.
// Plain builder calls: the same migration runs on SQLite and PostgreSQL.

/** Adds the receiver settings columns, receivers_seeded, prearchive_sessions.study_key and received_files.params. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('receivers', (t) => {
    t.boolean('enabled').notNullable().defaultTo(true);
    t.text('transfer_syntaxes');
    t.float('session_idle_seconds');
    t.string('removed_at', 32);
    t.string('updated_at', 32);
  });
  await knex.schema.createTable('receivers_seeded', (t) => {
    t.string('id', 64).primary();
    t.string('seeded_at', 32).notNullable();
  });
  await knex.schema.alterTable('prearchive_sessions', (t) => {
    t.string('study_key', 64);
    t.index(['study_key']);
  });
  await knex.schema.alterTable('received_files', (t) => {
    t.text('params');
  });
}

/** Drops what up() added. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('received_files', (t) => {
    t.dropColumn('params');
  });
  await knex.schema.alterTable('prearchive_sessions', (t) => {
    t.dropIndex(['study_key']);
    t.dropColumn('study_key');
  });
  await knex.schema.dropTableIfExists('receivers_seeded');
  await knex.schema.alterTable('receivers', (t) => {
    for (const c of ['enabled', 'transfer_syntaxes', 'session_idle_seconds', 'removed_at', 'updated_at']) t.dropColumn(c);
  });
}
