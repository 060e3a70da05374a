import type { Knex } from 'knex';
import type { ScriptScope } from './scripts-repo';
import { newVersionRow, scopeWhere, textSha256 } from './versioned-text';

/** One saved version of a site's or project's lookup tables (the text of `table/key = value` lines). */
export interface StoredLookupTable {
  id: number;
  scope: ScriptScope;
  projectId: string | null;
  version: number;
  text: string;
  sha256: string;
  /** Number of entries (for listings: the entries themselves are PHI). */
  entries: number;
}

interface LookupRow {
  id: number;
  scope: ScriptScope;
  project_id: string | null;
  version: number;
  text: string;
  sha256: string;
  entries: number;
}

const toTable = (r: LookupRow): StoredLookupTable => ({
  id: r.id,
  scope: r.scope,
  projectId: r.project_id,
  version: r.version,
  text: r.text,
  sha256: r.sha256,
  entries: r.entries,
});

/** Lookup table versions: every save is a new row, so a pass keeps pointing at the exact text it ran with. */
export function createLookupTablesRepo(db: Knex) {
  return {
    /** The newest version for the site (projectId null) or a project. */
    async current(scope: ScriptScope, projectId: string | null): Promise<StoredLookupTable | undefined> {
      const row = await db<LookupRow>('lookup_tables').where(scopeWhere(scope, projectId)).orderBy('version', 'desc').first();
      return row ? toTable(row) : undefined;
    },
    /** One stored version by id. */
    async byId(id: number): Promise<StoredLookupTable | undefined> {
      const row = await db<LookupRow>('lookup_tables').where({ id }).first();
      return row ? toTable(row) : undefined;
    },
    /** Saves a new version unless the text is unchanged; `entries` is counted by the caller's parser. */
    async save(scope: ScriptScope, projectId: string | null, text: string, entries: number): Promise<StoredLookupTable> {
      const cur = await this.current(scope, projectId);
      if (cur && cur.sha256 === textSha256(text)) return cur;
      await db('lookup_tables').insert({ ...newVersionRow(scope, projectId, cur, text), entries });
      return (await this.current(scope, projectId))!;
    },
  };
}
/** The lookup tables repository. */
export type LookupTablesRepo = ReturnType<typeof createLookupTablesRepo>;
