import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import knex, { type Knex } from 'knex';
import type { Config } from '../config/load-config';

/** Opens the configured database (SQLite file by default, PostgreSQL at scale). */
export function connectDatabase(database: Config['database']): Knex {
  if (database.client === 'sqlite3') {
    mkdirSync(dirname(database.filename), { recursive: true });
    return knex({
      client: 'sqlite3',
      connection: { filename: database.filename },
      useNullAsDefault: true,
      pool: {
        min: 1,
        max: 1,
        // WAL lets the API read while the worker writes; busy_timeout waits for the other process's lock.
        afterCreate: (conn: { run(sql: string, cb: (err: Error | null) => void): void }, done: (err: Error | null, c: unknown) => void) => {
          conn.run('PRAGMA journal_mode = WAL', () =>
            conn.run('PRAGMA busy_timeout = 10000', () => conn.run('PRAGMA foreign_keys = ON', (err) => done(err, conn))),
          );
        },
      },
    });
  }
  return knex({ client: 'pg', connection: database.connection, pool: { min: 0, max: 10 } });
}
