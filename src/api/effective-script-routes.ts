import { effectiveProfiles, effectiveScripts, type EffectiveScript } from '../db/effective-scripts';
import type { Repositories } from '../db/repositories';
import { requireProjectAccess, SIGNED_IN } from './access';
import { sendJson } from './http-io';
import { HttpError, type Router } from './router';

/** The JSON view of one script: `enabled` is whether it runs on uploads now (its switch and the site/project one). */
const view = (s: EffectiveScript | null) => (s ? { id: s.id, version: s.version, sha256: s.sha256, enabled: s.effective, text: s.text } : null);

/**
 * GET /api/scripts/effective?project=P: the site and project scripts an upload to P gets, with the ids the upload
 * client writes into (0012,0064) and the server later checks. Readers of P may fetch them (a member uploads; the
 * scripts hold no PHI, and XNAT's desktop client reads the same from /data/config). `profiles` says whether a PS3.15
 * profile is in effect (site, project): then the client must not anonymize locally (it has no secret). Only the
 * booleans: the setting itself (recipient) is for site admins and project owners.
 */
export function registerEffectiveScriptRoutes(router: Router, deps: { repos: Repositories; siteAnonEnabled: boolean }): void {
  router.on('GET', '/api/scripts/effective', SIGNED_IN, async ({ res, url, principal }) => {
    const projectId = url.searchParams.get('project');
    if (!projectId) throw new HttpError(400, 'name the project: GET /api/scripts/effective?project=P');
    requireProjectAccess(principal, projectId, 'read');
    if (!(await deps.repos.projects.get(projectId))) throw new HttpError(404, `project ${projectId} does not exist`);
    const scripts = await effectiveScripts(deps.repos, deps.siteAnonEnabled, projectId);
    const profiles = await effectiveProfiles(deps.repos, deps.siteAnonEnabled, projectId);
    sendJson(res, 200, { project: projectId, scripts: { site: view(scripts.site), project: view(scripts.project) }, profiles });
  });
}
