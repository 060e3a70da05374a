import type { Knex } from 'knex';
import type { Config } from '../config/load-config';
import { connectDatabase } from '../db/connect';
import { migrateLatest } from '../db/migrate';
import { createRepositories, type Repositories } from '../db/repositories';
import { FileStore } from '../storage/file-store';
import { StagingCipher } from '../storage/staging-cipher';
import type { ActivityDeps } from '../activities';

/** The process-wide services every entry point builds from config. */
export interface Services {
  db: Knex;
  repos: Repositories;
  store: FileStore;
  activityDeps: ActivityDeps;
  close(): Promise<void>;
}

/** Opens the database (migrated to the latest schema) and the file store. */
export async function openServices(config: Config, extra: Partial<ActivityDeps> = {}): Promise<Services> {
  const db = connectDatabase(config.database);
  await migrateLatest(db);
  const repos = createRepositories(db);
  const store = new FileStore(config.dataDir, new StagingCipher(config.staging.keys));
  await store.init();
  return {
    db,
    repos,
    store,
    activityDeps: { repos, store, limits: config.limits, siteAnonEnabled: config.anonymization.siteEnabled, siteRouting: config.dicom.routing, ...extra },
    close: () => db.destroy(),
  };
}

