import { checkScript, compileScript } from '../anonymize';
import { layerLookupTables, lookupTableDiagnostics } from '../anonymize/lookup-layers';
import type { Repositories } from '../db/repositories';
import type { ScriptScope } from '../db/scripts-repo';
import { isValidLabel } from '../domain/labels';
import type { FileStore } from '../storage/file-store';
import { readText, sendJson, sendText } from './http-io';
import { onProject, requireProjectAccess, SIGNED_IN, SITE_ADMIN } from './access';
import { HttpError, type Router } from './router';
import { mayAccessProject } from '../domain/access';

/** Refuses a script the engine cannot compile, with line and column, before it is saved. */
function validateScript(text: string): void {
  try {
    compileScript(text);
  } catch (err) {
    const e = err as Error & { line?: number; column?: number };
    throw new HttpError(400, `script refused: ${e.message}`);
  }
}

/** Projects, site and project scripts (XNAT's endpoints), and the archive catalog views. */
export function registerProjectRoutes(router: Router, deps: { repos: Repositories; store: FileStore }): void {
  const { repos } = deps;

  router.on('GET', '/data/projects', SIGNED_IN, async ({ res, principal }) => {
    // Each user sees the projects they have a role on; site admins see all.
    const projects = (await repos.projects.list()).filter((p) => mayAccessProject(principal, p.id, 'read'));
    sendJson(res, 200, { ResultSet: { totalRecords: String(projects.length), Result: projects.map((p) => ({ ID: p.id, name: p.name ?? p.id, URI: `/data/projects/${p.id}` })) } });
  });

  // Any signed-in user may create a project and becomes its owner (as in XNAT); changing one needs its owner.
  router.on('PUT', '/data/projects/:id', SIGNED_IN, async ({ res, params, url, principal }) => {
    if (!isValidLabel(params.id)) throw new HttpError(400, `project id ${JSON.stringify(params.id)} is not valid: use letters, digits, '_' and '-'`);
    if (params.id === 'Unassigned') throw new HttpError(400, 'Unassigned is reserved for sessions without a project');
    const existed = !!(await repos.projects.get(params.id));
    if (existed) requireProjectAccess(principal, params.id, 'configure');
    const code = url.searchParams.get('prearchive_code');
    const p = await repos.projects.upsert({ id: params.id, name: url.searchParams.get('name') ?? undefined, prearchiveCode: code === null ? undefined : Number(code) });
    if (!existed) await repos.users.setRole(principal.userId, params.id, 'owner');
    sendJson(res, existed ? 200 : 201, p);
  });

  router.on('GET', '/data/projects/:id', onProject('id', 'read'), async ({ res, params }) => {
    const p = await repos.projects.get(params.id);
    if (!p) throw new HttpError(404, `project ${params.id} does not exist`);
    sendJson(res, 200, p);
  });

  const getScript = async (scope: ScriptScope, projectId: string | null) => {
    const s = await repos.scripts.current(scope, projectId);
    if (!s) throw new HttpError(404, `no ${scope} script is set${projectId ? ` for project ${projectId}` : ''}`);
    return s;
  };
  const putScript = async (scope: ScriptScope, projectId: string | null, text: string) => {
    validateScript(text);
    const cur = await repos.scripts.current(scope, projectId);
    return repos.scripts.save(scope, projectId, text, cur?.enabled ?? true);
  };
  const requireProject = async (id: string) => {
    if (!(await repos.projects.get(id))) throw new HttpError(404, `project ${id} does not exist`);
  };

  // Site-wide script: XNAT's /xapi/anonymize/site (text/plain) and .../enabled.
  // The site script is read by every upload client (to anonymize locally); only site admins change it.
  router.on('GET', '/xapi/anonymize/site', SIGNED_IN, async ({ res }) => sendText(res, 200, (await getScript('site', null)).text));
  router.on('PUT', '/xapi/anonymize/site', SITE_ADMIN, async ({ req, res }) => {
    const s = await putScript('site', null, await readText(req));
    sendJson(res, 200, { id: s.id, version: s.version, sha256: s.sha256, enabled: s.enabled });
  });
  router.on('GET', '/xapi/anonymize/site/enabled', SIGNED_IN, async ({ res }) => sendJson(res, 200, (await getScript('site', null)).enabled));
  router.on('PUT', '/xapi/anonymize/site/enabled', SITE_ADMIN, async ({ req, res }) => {
    const on = /^\s*true\s*$/i.test(await readText(req));
    const s = await repos.scripts.setEnabled('site', null, on);
    if (!s) throw new HttpError(404, 'no site script is set; PUT /xapi/anonymize/site first');
    sendJson(res, 200, s.enabled);
  });

  // Project script: XNAT's /data/config/edit/projects/P/image/dicom/script and .../status?activate=.
  router.on('GET', '/data/config/edit/projects/:p/image/dicom/script', onProject('p', 'read'), async ({ res, params }) => sendText(res, 200, (await getScript('project', params.p)).text));
  router.on('PUT', '/data/config/edit/projects/:p/image/dicom/script', onProject('p', 'configure'), async ({ req, res, params }) => {
    await requireProject(params.p);
    const s = await putScript('project', params.p, await readText(req));
    sendJson(res, 200, { id: s.id, version: s.version, sha256: s.sha256, enabled: s.enabled });
  });
  router.on('PUT', '/data/config/edit/projects/:p/image/dicom/status', onProject('p', 'configure'), async ({ res, params, url }) => {
    const s = await repos.scripts.setEnabled('project', params.p, /^true$/i.test(url.searchParams.get('activate') ?? ''));
    if (!s) throw new HttpError(404, `no project script is set for ${params.p}`);
    sendJson(res, 200, { enabled: s.enabled });
  });

  // Validation without data (the engine issue extends it).
  // ?project=P (or ?site=true) also warns about lookup[] tables that pass would not find (lookup-layers.ts).
  router.on('POST', '/api/scripts/check', SIGNED_IN, async ({ req, res, url, principal }) => {
    const text = await readText(req);
    const result = checkScript(text);
    const project = url.searchParams.get('project');
    if (project === null && url.searchParams.get('site') !== 'true') return sendJson(res, 200, result);
    if (project !== null) requireProjectAccess(principal, project, 'read');
    const site = await repos.lookupTables.current('site', null);
    const layered = layerLookupTables(site, project === null ? undefined : await repos.lookupTables.current('project', project));
    sendJson(res, 200, { ...result, diagnostics: [...result.diagnostics, ...lookupTableDiagnostics(text, layered?.tables ?? new Map())] });
  });

  // Archive catalog: one session, its files and passes.
  router.on('GET', '/data/archive/projects/:p/subjects/:s/experiments/:e', onProject('p', 'read'), async ({ res, params }) => {
    const session = await repos.archive.sessionByLabel(params.p, params.e);
    if (!session || session.subjectLabel !== params.s) throw new HttpError(404, `session ${params.e} of subject ${params.s} is not in project ${params.p}`);
    const instances = await repos.archive.instances(session.id);
    sendJson(res, 200, {
      id: session.id,
      project: session.projectId,
      subject: session.subjectLabel,
      label: session.label,
      files: instances.map((i) => ({ scan: i.scanLabel, key: i.objectKey, sha256: i.contentSha256, size: i.size })),
      audit: await repos.audit.forSession(session.id),
    });
  });
}
