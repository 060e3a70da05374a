import type { Knex } from 'knex';

// Sign-in sessions of the web pages (and the Temporal Web UI's calls to the codec endpoint). The cookie holds a
// random id; only its SHA-256 is stored, so a copy of the database cannot be replayed as a cookie. users.disabled_at
// lets a site admin turn an account off without deleting its audit trail; it ends the user's sessions and tokens.
// Plain builder calls: the same migration runs on SQLite and PostgreSQL.

/** Creates web_sessions and adds users.disabled_at. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('web_sessions', (t) => {
    t.string('id', 40).primary();
    t.string('user_id', 40).notNullable().references('users.id');
    t.string('token_hash', 128).notNullable().unique();
    t.string('csrf_token', 64).notNullable();
    t.string('created_at', 32).notNullable();
    t.string('last_seen_at', 32).notNullable();
    t.string('expires_at', 32).notNullable();
    t.index(['user_id']);
  });
  await knex.schema.alterTable('users', (t) => {
    t.string('disabled_at', 32);
  });
}

/** Drops web_sessions and users.disabled_at. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('web_sessions');
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('disabled_at');
  });
}
