import type { Knex } from 'knex';
import { createArchiveRepo } from './archive-repo';
import { createAuditRepo } from './audit-repo';
import { createEditsRepo } from './edits-repo';
import { createLookupTablesRepo } from './lookup-tables-repo';
import { createPassesRepo } from './passes-repo';
import { createPrearchiveRepo } from './prearchive-repo';
import { createProfileSettingsRepo } from './profile-settings-repo';
import { createProjectsRepo } from './projects-repo';
import { createReceivedFilesRepo } from './received-files-repo';
import { createReceiversRepo } from './receivers-repo';
import { createScriptsRepo } from './scripts-repo';
import { createSecretsRepo } from './secrets-repo';
import { createSessionLocksRepo } from './session-locks-repo';
import { createSiteRoutingRepo } from './site-routing-repo';
import { createUploadsRepo } from './uploads-repo';
import { createUsersRepo } from './users-repo';
import { createWebSessionsRepo } from './web-sessions-repo';

/** Every repository over one database handle. */
export function createRepositories(db: Knex) {
  return {
    projects: createProjectsRepo(db),
    scripts: createScriptsRepo(db),
    lookupTables: createLookupTablesRepo(db),
    profiles: createProfileSettingsRepo(db),
    secrets: createSecretsRepo(db),
    uploads: createUploadsRepo(db),
    archive: createArchiveRepo(db),
    passes: createPassesRepo(db),
    audit: createAuditRepo(db),
    prearchive: createPrearchiveRepo(db),
    sessionLocks: createSessionLocksRepo(db),
    edits: createEditsRepo(db),
    users: createUsersRepo(db),
    receivedFiles: createReceivedFilesRepo(db),
    receivers: createReceiversRepo(db),
    webSessions: createWebSessionsRepo(db),
    siteRouting: createSiteRoutingRepo(db),
  };
}
/** The repositories bundle passed to activities and the API. */
export type Repositories = ReturnType<typeof createRepositories>;
