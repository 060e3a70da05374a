import { isNoProfile } from '../anonymize/profile/profile-setting';
import type { Repositories } from './repositories';
import type { StoredScript } from './scripts-repo';

/** A script version and whether it runs: its own switch, and the site or project switch above it. */
export interface EffectiveScript extends StoredScript {
  /** True when this script runs on uploads now (script enabled and the site/project switch on). */
  effective: boolean;
}

/** The site and project scripts in effect for uploads to a project (null where none is set). */
export interface EffectiveScripts {
  site: EffectiveScript | null;
  project: EffectiveScript | null;
}

/**
 * The scripts an upload to `projectId` gets, as the server's passes would choose them: the newest site version if
 * anonymization is on for the site, the newest project version if the project's anonymization switch is on. The
 * upload client runs these, and the server checks a client's claim against the same answer.
 */
export async function effectiveScripts(repos: Repositories, siteAnonEnabled: boolean, projectId: string): Promise<EffectiveScripts> {
  const site = await repos.scripts.current('site', null);
  const project = await repos.scripts.current('project', projectId);
  const projectOn = (await repos.projects.get(projectId))?.anonEnabled ?? false;
  return {
    site: site ? { ...site, effective: site.enabled && siteAnonEnabled } : null,
    project: project ? { ...project, effective: project.enabled && projectOn } : null,
  };
}

/** The (0012,0064) CodeValues a client-anonymized file must end with: site first, scripts not in effect left out. */
export function expectedClientItems(scripts: EffectiveScripts): number[] {
  return [scripts.site, scripts.project].filter((s): s is EffectiveScript => !!s?.effective).map((s) => s.id);
}

/** Which profiles an upload to a project gets now: the site's (site switch on) and the project's (project switch on). */
export interface EffectiveProfiles {
  site: boolean;
  project: boolean;
}

/**
 * Whether the site or the project has a PS3.15 profile in effect for uploads to `projectId`. The upload client cannot
 * apply one (the keyed remap needs the secret only the server holds), so it refuses to anonymize locally, and the
 * server refuses a client claim, when either is true. "No profile" is the passes' own rule (isNoProfile).
 */
export async function effectiveProfiles(repos: Repositories, siteAnonEnabled: boolean, projectId: string): Promise<EffectiveProfiles> {
  const selected = (s: { options: string } | undefined) => s !== undefined && !isNoProfile(s);
  const projectOn = (await repos.projects.get(projectId))?.anonEnabled ?? false;
  return {
    site: siteAnonEnabled && selected(await repos.profiles.current('site', null)),
    project: projectOn && selected(await repos.profiles.current('project', projectId)),
  };
}
