import type { Knex } from 'knex';
import type { ScriptScope } from './scripts-repo';
import { newVersionRow, scopeWhere, textSha256 } from './versioned-text';

/** What a site admin or project owner saves: the option list ('' = no profile) and the option inputs. */
export interface ProfileSettingInput {
  /** "basic[,option,...]" in the CLI's spelling, or '' for no profile. */
  options: string;
  /** Clean Pixel Data rules (JSON text), required with clean-pixel-data; null otherwise. */
  pixelRules: string | null;
  /** The Encrypted Attributes recipient (certificate PEM or kek:ID:HEX); null = none. A secret-ish setting. */
  encryptTo: string | null;
}

/** One saved version of a site's or project's profile setting. */
export interface StoredProfileSetting extends ProfileSettingInput {
  id: number;
  scope: ScriptScope;
  projectId: string | null;
  version: number;
  /** SHA-256 of options, rules and recipient together: what a pass's exactly-once key names. */
  sha256: string;
}

interface ProfileRow {
  id: number;
  scope: ScriptScope;
  project_id: string | null;
  version: number;
  text: string;
  pixel_rules: string | null;
  encrypt_to: string | null;
  sha256: string;
}

const toSetting = (r: ProfileRow): StoredProfileSetting => ({
  id: r.id,
  scope: r.scope,
  projectId: r.project_id,
  version: r.version,
  options: r.text,
  pixelRules: r.pixel_rules,
  encryptTo: r.encrypt_to,
  sha256: r.sha256,
});

/** The digest of a setting: a change to any part is a new pass. */
const settingSha256 = (s: ProfileSettingInput) => textSha256(JSON.stringify([s.options, s.pixelRules, s.encryptTo]));

/** Profile setting versions: every change is a new row, so passes keep pointing at the exact setting they ran. */
export function createProfileSettingsRepo(db: Knex) {
  return {
    /** The newest version for the site (projectId null) or a project. */
    async current(scope: ScriptScope, projectId: string | null): Promise<StoredProfileSetting | undefined> {
      const row = await db<ProfileRow>('profile_settings').where(scopeWhere(scope, projectId)).orderBy('version', 'desc').first();
      return row ? toSetting(row) : undefined;
    },
    /** One stored version by id. */
    async byId(id: number): Promise<StoredProfileSetting | undefined> {
      const row = await db<ProfileRow>('profile_settings').where({ id }).first();
      return row ? toSetting(row) : undefined;
    },
    /** Saves a new version unless nothing changed (then the current version is returned). Validation is the caller's. */
    async save(scope: ScriptScope, projectId: string | null, input: ProfileSettingInput): Promise<StoredProfileSetting> {
      const cur = await this.current(scope, projectId);
      const sha256 = settingSha256(input);
      if (cur && cur.sha256 === sha256) return cur;
      await db('profile_settings').insert({ ...newVersionRow(scope, projectId, cur, input.options), sha256, pixel_rules: input.pixelRules, encrypt_to: input.encryptTo });
      return (await this.current(scope, projectId))!;
    },
  };
}
/** The profile settings repository. */
export type ProfileSettingsRepo = ReturnType<typeof createProfileSettingsRepo>;
