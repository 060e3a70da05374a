import type { Knex } from 'knex';

/**
 * Metadata edits: one lock row per archived session (held by the workflow that archives into it or edits it),
 * the edits themselves, and the retention of superseded file versions (kept, then purged and audited).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('session_locks', (t) => {
    t.string('session_id', 40).primary();
    t.string('owner', 255).notNullable(); // workflow id
    t.string('acquired_at', 32).notNullable();
  });
  await knex.schema.createTable('session_edits', (t) => {
    t.string('id', 40).primary();
    t.string('kind', 24).notNullable(); // subject-relabel | session-relabel | move | reassign
    t.string('session_id', 40); // the session edited (null for a subject relabel, which touches all its sessions)
    t.string('subject_id', 40);
    t.string('project_id', 64).notNullable();
    t.text('target').notNullable(); // JSON of the new labels (post-anonymization labels, never header values)
    t.integer('script_id'); // the project script version the re-pass uses, pinned when the edit begins (null: no re-pass)
    t.string('status', 16).notNullable(); // RUNNING | DONE | FAILED
    t.string('workflow_id', 255).notNullable();
    t.text('error');
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32).notNullable();
  });
  await knex.schema.alterTable('file_versions', (t) => {
    t.string('superseded_at', 32);
    t.string('superseded_by_edit', 40);
  });
}

/** Reverts `up`. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('file_versions', (t) => {
    t.dropColumn('superseded_by_edit');
    t.dropColumn('superseded_at');
  });
  await knex.schema.dropTableIfExists('session_edits');
  await knex.schema.dropTableIfExists('session_locks');
}
