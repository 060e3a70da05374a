import type { Knex } from 'knex';

// Files received by the C-STORE receivers, before they become an upload. A row is written before the C-STORE is
// acknowledged, so a file whose signal never reached Temporal (crash, server down) is found again at start-up.
// study_key is a hash of receiver + StudyInstanceUID: the raw UID is never stored.

/** Adds received_files. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('received_files', (t) => {
    t.string('id', 40).primary();
    t.string('receiver_id', 64).notNullable();
    t.string('study_key', 64).notNullable();
    t.string('object_key', 255).notNullable();
    t.string('sha256', 64).notNullable();
    t.bigInteger('size').notNullable();
    t.string('upload_id', 40);
    t.string('received_at', 32).notNullable();
    t.index(['study_key', 'upload_id']);
  });
}

/** Drops received_files. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('received_files');
}
