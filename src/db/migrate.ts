import type { Knex } from 'knex';
import * as initial from './migrations/001-initial';
import * as prearchive from './migrations/002-prearchive';
import * as edits from './migrations/003-edits';
import * as receivers from './migrations/004-receivers';
import * as clientPasses from './migrations/005-client-passes';
import * as lookupTables from './migrations/006-lookup-tables';
import * as receiverSettings from './migrations/007-receiver-settings';
import * as webSessions from './migrations/008-web-sessions';
import * as discardedPasses from './migrations/010-discarded-passes';
import * as profileSettings from './migrations/012-profile-settings';
import * as siteRouting from './migrations/013-site-routing';
import * as editProfile from './migrations/014-edit-profile';

// Migrations are listed in code rather than loaded from a folder, so they work the same under tsx,
// vitest and compiled JavaScript.
const MIGRATIONS: Record<string, { up(k: Knex): Promise<void>; down(k: Knex): Promise<void> }> = {
  '001-initial': initial,
  '002-prearchive': prearchive,
  '003-edits': edits,
  '004-receivers': receivers,
  '005-client-passes': clientPasses,
  '006-lookup-tables': lookupTables,
  '007-receiver-settings': receiverSettings,
  '008-web-sessions': webSessions,
  '010-discarded-passes': discardedPasses,
  '012-profile-settings': profileSettings,
  '013-site-routing': siteRouting,
  '014-edit-profile': editProfile,
};

const source: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(MIGRATIONS).sort(),
  getMigrationName: (name) => name,
  getMigration: async (name) => MIGRATIONS[name],
};

/** Brings the database schema up to date. */
export async function migrateLatest(db: Knex): Promise<void> {
  await db.migrate.latest({ migrationSource: source });
}
