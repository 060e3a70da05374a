import type { Knex } from 'knex';

/**
 * Prearchive sessions point at the upload group whose files they hold; a group's files live under its base key
 * (staging/<upload> while an upload runs, prearchive/<project>/<timestamp>/<folder> once prearchived). The lock of
 * a prearchive session is its status plus `locked_by`, the workflow id that owns the running operation.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('upload_groups', (t) => {
    t.string('base_key', 1024);
    t.boolean('auto_archive'); // the DICOM `AA:` value: true, false, or null when absent
  });
  await knex.schema.alterTable('prearchive_sessions', (t) => {
    t.string('group_id', 40);
    t.string('subject_label', 255);
    t.string('locked_by', 255);
    t.index(['project_id', 'status']);
  });
}

/** Reverts `up`. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('prearchive_sessions', (t) => {
    t.dropIndex(['project_id', 'status']);
    t.dropColumn('locked_by');
    t.dropColumn('subject_label');
    t.dropColumn('group_id');
  });
  await knex.schema.alterTable('upload_groups', (t) => {
    t.dropColumn('auto_archive');
    t.dropColumn('base_key');
  });
}
