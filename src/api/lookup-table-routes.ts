/**
 * DicomEdit lookup tables (`lookup[table, key]`), site-wide and per project: uploaded by a site admin or a project
 * owner as text (`table/key = value` lines), versioned, and read by the pass activities from the database. The
 * contents are PHI-bearing maps: they are returned only to those who may change them, and to uploaders through
 * the effective view the upload client needs to anonymize locally; they are never logged (errors name lines).
 */
import { countLookupEntries } from '../anonymize/lookup-layers';
import type { Repositories } from '../db/repositories';
import type { StoredLookupTable } from '../db/lookup-tables-repo';
import type { ScriptScope } from '../db/scripts-repo';
import { onProject, requireProjectAccess, SIGNED_IN, SITE_ADMIN } from './access';
import { readText, sendJson } from './http-io';
import { HttpError, type Router } from './router';

/** The JSON view of one stored version (with its text: callers are authorised to see it). */
const view = (t: StoredLookupTable) => ({ id: t.id, scope: t.scope, project: t.projectId, version: t.version, sha256: t.sha256, entries: t.entries, text: t.text });

/** Registers GET/PUT of the site and project tables, and the effective view for the upload client. */
export function registerLookupTableRoutes(router: Router, deps: { repos: Repositories }): void {
  const { repos } = deps;

  const get = async (scope: ScriptScope, projectId: string | null) => {
    const t = await repos.lookupTables.current(scope, projectId);
    if (!t) throw new HttpError(404, `no ${scope} lookup table is set${projectId ? ` for project ${projectId}` : ''}`);
    return view(t);
  };
  const put = async (scope: ScriptScope, projectId: string | null, text: string) => {
    let entries: number;
    try {
      entries = countLookupEntries(text);
    } catch (err) {
      // The parser names the line, never its content.
      throw new HttpError(400, `lookup table refused: ${(err as Error).message}`);
    }
    const t = await repos.lookupTables.save(scope, projectId, text, entries);
    // The answer names the version, never the contents.
    return { id: t.id, scope: t.scope, project: t.projectId, version: t.version, sha256: t.sha256, entries: t.entries };
  };

  router.on('GET', '/api/lookup-tables/site', SITE_ADMIN, async ({ res }) => sendJson(res, 200, await get('site', null)));
  router.on('PUT', '/api/lookup-tables/site', SITE_ADMIN, async ({ req, res }) => sendJson(res, 200, await put('site', null, await readText(req, 16 * 1024 * 1024))));

  router.on('GET', '/api/projects/:p/lookup-tables', onProject('p', 'configure'), async ({ res, params }) => sendJson(res, 200, await get('project', params.p)));
  router.on('PUT', '/api/projects/:p/lookup-tables', onProject('p', 'configure'), async ({ req, res, params }) => {
    if (!(await repos.projects.get(params.p))) throw new HttpError(404, `project ${params.p} does not exist`);
    sendJson(res, 200, await put('project', params.p, await readText(req, 16 * 1024 * 1024)));
  });

  // What an upload to P reads through lookup[...]: the site layer and the project layer (the client merges them
  // as the server does, lookup-layers.ts). Members who upload to P need them to anonymize on their machine.
  router.on('GET', '/api/lookup-tables/effective', SIGNED_IN, async ({ res, url, principal }) => {
    const projectId = url.searchParams.get('project');
    if (!projectId) throw new HttpError(400, 'name the project: GET /api/lookup-tables/effective?project=P');
    requireProjectAccess(principal, projectId, 'write');
    const layer = (t: StoredLookupTable | undefined) => (t ? { id: t.id, version: t.version, sha256: t.sha256, text: t.text } : null);
    sendJson(res, 200, { project: projectId, site: layer(await repos.lookupTables.current('site', null)), projectTable: layer(await repos.lookupTables.current('project', projectId)) });
  });
}
