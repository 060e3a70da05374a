import type { Knex } from 'knex';

// The PS3.15 profile as a pass setting (docs/profile.md "In the intake passes"): the site and each project select
// options (or none), optionally with pixel-cleaning rules and an Encrypted Attributes recipient, versioned like the
// scripts so a pass points at the exact setting it ran with (anonymization_passes.profile_id). The keyed UID remap
// and date shift need a secret nobody outside the server holds: one per project and one for the site, generated
// here (random 32 bytes), read only by the pass activities, never sent through Temporal or logged.
// Plain builder calls: the same migration runs on SQLite and PostgreSQL.

/** Adds profile_settings, anonymization_secrets and anonymization_passes.profile_id. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('profile_settings', (t) => {
    t.increments('id').primary();
    t.string('scope', 16).notNullable(); // site | project
    t.string('project_id', 64);
    t.integer('version').notNullable();
    t.text('text').notNullable(); // the option list ("basic,retain-uids"), '' = no profile
    t.text('pixel_rules'); // Clean Pixel Data rules (JSON text), null = none
    t.text('encrypt_to'); // Encrypted Attributes recipient (certificate PEM or kek:ID:HEX), null = none
    t.string('sha256', 64).notNullable(); // of the three together: the pass key's part
    t.string('created_at', 32).notNullable();
    t.index(['scope', 'project_id']);
  });
  await knex.schema.createTable('anonymization_secrets', (t) => {
    t.string('owner', 80).primary(); // "site" or "project:<id>"
    t.string('secret', 128).notNullable(); // hex
    t.string('created_at', 32).notNullable();
  });
  await knex.schema.alterTable('anonymization_passes', (t) => {
    t.integer('profile_id');
  });
}

/** Drops them. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('anonymization_passes', (t) => {
    t.dropColumn('profile_id');
  });
  await knex.schema.dropTable('anonymization_secrets');
  await knex.schema.dropTable('profile_settings');
}
