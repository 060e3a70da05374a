import type { Knex } from 'knex';

// Portable schema: only knex builder calls, no SQLite-only SQL, so the same migration runs on PostgreSQL.
// Ids are opaque strings made by the application (src/domain/ids.ts), except scripts, whose integer id is
// written into DICOM as the (0012,0064) CodeValue (SH, 16 characters at most), as XNAT does.

/** Creates the data model of DESIGN.md. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('projects', (t) => {
    t.string('id', 64).primary();
    t.string('secondary_id', 128);
    t.string('name', 255);
    t.integer('prearchive_code').notNullable().defaultTo(4); // 0 keep in prearchive, 4 auto-archive, 5 auto-archive + overwrite
    t.boolean('anon_enabled').notNullable().defaultTo(true);
    t.text('settings').notNullable().defaultTo('{}');
    t.string('created_at', 32).notNullable();
  });
  await knex.schema.createTable('subjects', (t) => {
    t.string('id', 40).primary();
    t.string('project_id', 64).notNullable().references('projects.id');
    t.string('label', 255).notNullable();
    t.string('created_at', 32).notNullable();
    t.unique(['project_id', 'label']);
  });
  await knex.schema.createTable('sessions', (t) => {
    t.string('id', 40).primary();
    t.string('project_id', 64).notNullable().references('projects.id');
    t.string('subject_id', 40).notNullable().references('subjects.id');
    t.string('label', 255).notNullable();
    t.string('study_uid_hash', 64).notNullable();
    t.string('modality', 16);
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32).notNullable();
    t.unique(['project_id', 'label']);
  });
  await knex.schema.createTable('scans', (t) => {
    t.string('id', 40).primary();
    t.string('session_id', 40).notNullable().references('sessions.id');
    t.string('label', 64).notNullable();
    t.string('series_uid_hash', 64).notNullable();
    t.unique(['session_id', 'series_uid_hash']);
  });
  await knex.schema.createTable('file_versions', (t) => {
    t.string('id', 40).primary();
    t.string('instance_id', 40);
    t.string('object_key', 1024).notNullable();
    t.string('sha256', 64).notNullable();
    t.bigInteger('size').notNullable();
    t.string('produced_by_pass_id', 40);
    t.string('created_at', 32).notNullable();
    t.string('purged_at', 32);
    t.index(['instance_id']);
  });
  await knex.schema.createTable('instances', (t) => {
    t.string('id', 40).primary();
    t.string('session_id', 40).notNullable().references('sessions.id');
    t.string('scan_id', 40).notNullable().references('scans.id');
    t.string('sop_uid_hash', 64).notNullable();
    t.string('current_version_id', 40).notNullable();
    t.string('content_sha256', 64).notNullable();
    t.unique(['session_id', 'sop_uid_hash']);
  });
  await knex.schema.createTable('scripts', (t) => {
    t.increments('id').primary();
    t.string('scope', 16).notNullable(); // site | project
    t.string('project_id', 64);
    t.integer('version').notNullable();
    t.text('text').notNullable();
    t.string('sha256', 64).notNullable();
    t.boolean('enabled').notNullable().defaultTo(true);
    t.string('created_at', 32).notNullable();
    t.index(['scope', 'project_id']);
  });
  await knex.schema.createTable('anonymization_passes', (t) => {
    t.string('id', 40).primary();
    t.string('kind', 16).notNullable(); // site | project
    t.integer('script_id').notNullable();
    t.string('script_sha256', 64).notNullable();
    t.string('input_sha256', 64).notNullable();
    t.string('context_sha256', 64).notNullable(); // hash of the project/subject/session values given to the script
    t.string('output_sha256', 64);
    t.boolean('rejected').notNullable().defaultTo(false);
    t.string('upload_id', 40);
    t.string('session_id', 40);
    t.string('workflow_id', 255);
    t.string('run_id', 64);
    t.string('created_at', 32).notNullable();
    // Exactly once: the same input, script and context is one pass, whoever asks again.
    t.unique(['kind', 'script_sha256', 'input_sha256', 'context_sha256']);
  });
  await knex.schema.createTable('uploads', (t) => {
    t.string('id', 40).primary();
    t.string('method', 16).notNullable(); // api | zip | cstore | client
    t.string('destination', 16).notNullable(); // archive | prearchive
    t.string('project_id', 64);
    t.text('params').notNullable().defaultTo('{}');
    t.string('status', 24).notNullable();
    t.string('workflow_id', 255);
    t.string('error_code', 64);
    t.text('error');
    t.integer('file_count');
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32).notNullable();
  });
  await knex.schema.createTable('upload_files', (t) => {
    t.string('upload_id', 40).notNullable().references('uploads.id');
    t.integer('seq').notNullable();
    t.string('stage', 16).notNullable(); // raw | site | project | archived | rejected
    t.string('sha256', 64).notNullable();
    t.bigInteger('size').notNullable();
    t.string('group_id', 40);
    t.string('study_uid_hash', 64);
    t.string('series_uid_hash', 64);
    t.string('sop_uid_hash', 64);
    t.string('series_number', 16);
    t.primary(['upload_id', 'seq']);
  });
  await knex.schema.createTable('upload_groups', (t) => {
    t.string('id', 40).primary();
    t.string('upload_id', 40).notNullable().references('uploads.id');
    t.string('project_id', 64).notNullable();
    t.string('subject_label', 255).notNullable();
    t.string('session_label', 255).notNullable();
    t.string('study_uid_hash', 64).notNullable();
    t.string('session_id', 40);
    t.string('status', 24).notNullable();
  });
  await knex.schema.createTable('prearchive_sessions', (t) => {
    t.string('id', 40).primary();
    t.string('project_id', 64);
    t.string('timestamp', 32).notNullable();
    t.string('folder', 255).notNullable();
    t.string('status', 32).notNullable();
    t.string('source', 64);
    t.boolean('prevent_anon').notNullable().defaultTo(false);
    t.boolean('prevent_auto_commit').notNullable().defaultTo(false);
    t.string('autoarchive', 16);
    t.string('upload_id', 40);
    t.string('study_uid_hash', 64);
    t.text('reason');
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32).notNullable();
  });
  await knex.schema.createTable('receivers', (t) => {
    t.string('id', 40).primary();
    t.string('ae_title', 16).notNullable();
    t.string('host', 255).notNullable().defaultTo('127.0.0.1');
    t.integer('port').notNullable();
    t.string('destination', 16).notNullable();
    t.boolean('anon_enabled').notNullable().defaultTo(true);
    t.text('allowed_callers').notNullable().defaultTo('[]');
    t.text('routing').notNullable().defaultTo('{}');
    t.unique(['port']);
  });
  await knex.schema.createTable('users', (t) => {
    t.string('id', 40).primary();
    t.string('login', 64).notNullable().unique();
    t.string('password_hash', 255);
    t.boolean('site_admin').notNullable().defaultTo(false);
    t.string('created_at', 32).notNullable();
  });
  await knex.schema.createTable('tokens', (t) => {
    t.string('id', 40).primary();
    t.string('user_id', 40).notNullable().references('users.id');
    t.string('token_hash', 128).notNullable().unique();
    t.string('created_at', 32).notNullable();
    t.string('revoked_at', 32);
  });
  await knex.schema.createTable('project_roles', (t) => {
    t.string('user_id', 40).notNullable().references('users.id');
    t.string('project_id', 64).notNullable().references('projects.id');
    t.string('role', 16).notNullable(); // owner | member | collaborator
    t.primary(['user_id', 'project_id']);
  });
  await knex.schema.createTable('audit_events', (t) => {
    t.increments('id').primary();
    t.string('at', 32).notNullable();
    t.string('actor', 64).notNullable();
    t.string('action', 64).notNullable();
    t.string('project_id', 64);
    t.string('session_id', 40);
    t.string('upload_id', 40);
    t.string('workflow_id', 255);
    t.string('run_id', 64);
    t.text('detail').notNullable().defaultTo('{}');
  });
}

/** Drops everything `up` created. */
export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'audit_events', 'project_roles', 'tokens', 'users', 'receivers', 'prearchive_sessions', 'upload_groups',
    'upload_files', 'uploads', 'anonymization_passes', 'scripts', 'instances', 'file_versions', 'scans',
    'sessions', 'subjects', 'projects',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
