import type { Knex } from 'knex';
import { newVersionRow, scopeWhere, textSha256 } from './versioned-text';

/** Which pass a script belongs to. */
export type ScriptScope = 'site' | 'project';

/** One saved version of a DicomEdit script. */
export interface StoredScript {
  id: number;
  scope: ScriptScope;
  projectId: string | null;
  version: number;
  text: string;
  sha256: string;
  enabled: boolean;
}

interface ScriptRow {
  id: number;
  scope: ScriptScope;
  project_id: string | null;
  version: number;
  text: string;
  sha256: string;
  enabled: number | boolean;
}

const toScript = (r: ScriptRow): StoredScript => ({
  id: r.id,
  scope: r.scope,
  projectId: r.project_id,
  version: r.version,
  text: r.text,
  sha256: r.sha256,
  enabled: Boolean(r.enabled),
});

/** Script versions: every save is a new row, so passes keep pointing at the exact text they ran. */
export function createScriptsRepo(db: Knex) {
  return {
    /** The newest version for the site (projectId null) or a project. */
    async current(scope: ScriptScope, projectId: string | null): Promise<StoredScript | undefined> {
      const row = await db<ScriptRow>('scripts').where(scopeWhere(scope, projectId)).orderBy('version', 'desc').first();
      return row ? toScript(row) : undefined;
    },
    async byId(id: number): Promise<StoredScript | undefined> {
      const row = await db<ScriptRow>('scripts').where({ id }).first();
      return row ? toScript(row) : undefined;
    },
    /** Saves a new version unless the text and switch are unchanged (then the current version is returned). */
    async save(scope: ScriptScope, projectId: string | null, text: string, enabled = true): Promise<StoredScript> {
      const cur = await this.current(scope, projectId);
      if (cur && cur.sha256 === textSha256(text) && cur.enabled === enabled) return cur;
      const [row] = await db('scripts')
        .insert({ ...newVersionRow(scope, projectId, cur, text), enabled })
        .returning('id');
      const id = typeof row === 'object' ? (row as { id: number }).id : (row as number);
      return (await this.byId(id))!;
    },
    /** Turns the current version on or off (a new version row with the same text). */
    async setEnabled(scope: ScriptScope, projectId: string | null, enabled: boolean): Promise<StoredScript | undefined> {
      const cur = await this.current(scope, projectId);
      return cur ? this.save(scope, projectId, cur.text, enabled) : undefined;
    },
  };
}
/** The scripts repository. */
export type ScriptsRepo = ReturnType<typeof createScriptsRepo>;
