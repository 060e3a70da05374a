/**
 * The PS3.15 profile an intake pass applies before its script (docs/profile.md, "In the intake passes"): the site's
 * setting in the site pass, the project's in the project pass, each keyed by its own secret. Read here, by the
 * activity, from the database: the recipient and the secret never travel in workflow payloads or appear in logs.
 */
import { createHash } from 'node:crypto';
import { BASIC_PROFILE_CODE, optionCode } from '../anonymize/profile/profile-options';
import { compileProfileSetting, type CompiledProfileSetting } from '../anonymize/profile/profile-setting';
import { OPTION_COLUMNS, type OptionColumn } from '../anonymize/profile/table-types';
import type { StoredProfileSetting } from '../db/profile-settings-repo';
import type { Repositories } from '../db/repositories';
import type { StoredScript } from '../db/scripts-repo';

/** A profile ready to apply in one pass. */
export interface PassProfile {
  readonly setting: StoredProfileSetting;
  readonly compiled: CompiledProfileSetting;
  /** The site's or the project's secret (hex): keys the UID remap, the date shift and the CMS content key. */
  readonly secret: string;
}

/**
 * The (0012,0064) item that names the profile setting a pass applied, after the profile's own CID 7050 items. It
 * lets a retried pass with a profile and no script see that it ran already (a second keyed remap would change
 * every UID again), as the script's item does for a script. A private coding scheme ("99" prefix, PS3.16 8.2).
 */
export function profileSettingItem(settingId: number) {
  return { codeValue: `P${settingId}`, codingSchemeDesignator: '99DCMINTAKE', codingSchemeVersion: '1.0', codeMeaning: 'dicom-intake PS3.15 profile setting' };
}

/**
 * The profile of a site pass (the site's setting) or a project pass (the project's); undefined when none is set or
 * the setting selects no profile. Throws ProfileError when a stored setting no longer compiles.
 */
export async function profileForPass(repos: Pick<Repositories, 'profiles' | 'secrets'>, kind: 'site' | 'project', projectId: string | null): Promise<PassProfile | undefined> {
  const setting = kind === 'site' ? await repos.profiles.current('site', null) : projectId === null ? undefined : await repos.profiles.current('project', projectId);
  return setting === undefined ? undefined : passProfileOf(repos, setting);
}

/** A stored setting ready to apply with its owner's secret (the site's, or its project's); undefined when it selects no profile. */
export async function passProfileOf(repos: Pick<Repositories, 'secrets'>, setting: StoredProfileSetting): Promise<PassProfile | undefined> {
  const compiled = compileProfileSetting(setting);
  if (compiled === undefined) return undefined;
  const secret = await repos.secrets.secretOf(setting.scope === 'site' ? { scope: 'site' } : { scope: 'project', projectId: setting.projectId! });
  return { setting, compiled, secret };
}

/** The steps of a pass as its failure messages name them (ids and versions only). */
export function stepsName(profile: PassProfile | undefined, script: StoredScript | undefined): string {
  const p = profile ? `profile setting ${profile.setting.id} (v${profile.setting.version})` : '';
  const sc = script ? `script ${script.id} (v${script.version})` : '';
  return [p, sc].filter((x) => x !== '').join(' + ');
}

/**
 * The "script" part of a pass's exactly-once key: the script's digest alone when there is no profile (as before
 * profiles existed), else a digest of the profile setting and the script together, so a new version of either is a
 * new pass. The secret is not in it: it never changes for its owner.
 */
export function passStepsSha256(profile: PassProfile | undefined, script: StoredScript | undefined): string {
  if (profile === undefined) return script!.sha256;
  return createHash('sha256').update(`profile:${profile.setting.sha256}|script:${script?.sha256 ?? '-'}`).digest('hex');
}

const OPTION_BY_CODE = new Map<string, OptionColumn>(OPTION_COLUMNS.map((c) => [optionCode(c.option).codeValue, c.option]));

/**
 * True when a file whose (0012,0064) CodeValues are `codes` already got at least the de-identification `setting`
 * asks for: one Basic Profile application in it (113100 and the option codes up to the next 113100; other items,
 * such as script ids, are skipped) retained nothing the setting does not retain and cleaned everything it cleans.
 * Later passes never undo an earlier profile, so one such application is enough, whoever ran it (site, project,
 * another tool). A setting that cleans pixel data is never covered: 113101 says some rules ran, not that they were
 * this setting's rules, which may cover devices the others did not. Used when a session moves into a project with
 * a profile (edit-activities.ts).
 */
export function codesCoverProfile(codes: readonly string[], setting: CompiledProfileSetting): boolean {
  if (setting.pixelCleaning !== undefined) return false;
  const covers = (applied: ReadonlySet<OptionColumn>) =>
    [...applied].every((o) => !o.startsWith('retain') || setting.options.has(o)) && [...setting.options].every((o) => !o.startsWith('clean') || applied.has(o));
  const applications: Array<Set<OptionColumn>> = [];
  for (const code of codes) {
    if (code === BASIC_PROFILE_CODE.codeValue) applications.push(new Set());
    const option = OPTION_BY_CODE.get(code);
    if (option !== undefined && applications.length > 0) applications[applications.length - 1]!.add(option);
  }
  return applications.some(covers);
}
