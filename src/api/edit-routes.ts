import type { ServerResponse } from 'node:http';
import type { Client } from '@temporalio/client';
import { outcomeOf } from '../client/prearchive-ops';
import { DEFAULT_EDIT_SETTINGS, startEdit, type EditRequest, type EditSettings } from '../client/edit-ops';
import type { Repositories } from '../db/repositories';
import { isValidLabel } from '../domain/labels';
import { sendJson } from './http-io';
import { OPERATION_STATUS_OF } from './prearchive-routes';
import { onProject, requireProjectAccess } from './access';
import { HttpError, type Router } from './router';

/**
 * The four metadata edits, by project and label (what a person knows):
 * POST /api/archive/projects/P/sessions/E/relabel?label=NEW, …/move?project=Q, …/reassign?subject=S and
 * POST /api/archive/projects/P/subjects/S/relabel?label=NEW. Each answers 202 with the edit and workflow ids, or
 * the outcome with ?wait=true.
 */
export function registerEditRoutes(router: Router, deps: { repos: Repositories; client: Client; taskQueue: string; editSettings?: EditSettings }): void {
  const settings = deps.editSettings ?? DEFAULT_EDIT_SETTINGS;
  const { repos } = deps;
  const label = (url: URL, name: string) => {
    const v = url.searchParams.get(name);
    if (!v || !isValidLabel(v)) throw new HttpError(400, `${name}= is missing or not a valid label (letters, digits, '_' and '-', at most 64)`);
    return v;
  };
  const session = async (p: string, e: string) => {
    const s = await repos.archive.sessionByLabel(p, e);
    if (!s) throw new HttpError(404, `project ${p} has no archived session ${e}`);
    return s;
  };
  const run = async (res: ServerResponse, url: URL, req: EditRequest) => {
    let started;
    try {
      started = await startEdit(deps.client, deps.taskQueue, repos, req, settings);
    } catch (err) {
      if ((err as Error).name === 'WorkflowExecutionAlreadyStartedError') throw new HttpError(409, `another edit of this ${req.kind === 'subject-relabel' ? 'subject' : 'session'} is running; try again when it has finished`);
      throw err;
    }
    const ids = { editId: started.editId, workflowId: started.handle.workflowId, runId: started.handle.firstExecutionRunId };
    if (url.searchParams.get('wait') !== 'true') return sendJson(res, 202, ids);
    const o = await outcomeOf<Record<string, unknown>>(Promise.resolve(started.handle));
    if (!o.ok) return sendJson(res, OPERATION_STATUS_OF[o.type] ?? 500, { ...ids, error: `${o.type}: ${o.message}`, type: o.type });
    sendJson(res, 200, { ...ids, ok: true, result: o.result });
  };

  router.on('POST', '/api/archive/projects/:p/sessions/:e/relabel', onProject('p', 'write'), async ({ res, url, params }) => {
    const s = await session(params.p, params.e);
    await run(res, url, { kind: 'session-relabel', projectId: s.projectId, sessionId: s.id, target: { sessionLabel: label(url, 'label') } });
  });
  router.on('POST', '/api/archive/projects/:p/sessions/:e/move', onProject('p', 'write'), async ({ res, url, params, principal }) => {
    const s = await session(params.p, params.e);
    const project = label(url, 'project');
    if (!(await repos.projects.get(project))) throw new HttpError(404, `project ${project} does not exist; create it first`);
    requireProjectAccess(principal, project, 'write');
    await run(res, url, { kind: 'move', projectId: s.projectId, sessionId: s.id, target: { projectId: project } });
  });
  router.on('POST', '/api/archive/projects/:p/sessions/:e/reassign', onProject('p', 'write'), async ({ res, url, params }) => {
    const s = await session(params.p, params.e);
    await run(res, url, { kind: 'reassign', projectId: s.projectId, sessionId: s.id, target: { subjectLabel: label(url, 'subject') } });
  });
  router.on('POST', '/api/archive/projects/:p/subjects/:s/relabel', onProject('p', 'write'), async ({ res, url, params }) => {
    const subject = await repos.archive.subjectByLabel(params.p, params.s);
    if (!subject) throw new HttpError(404, `project ${params.p} has no subject ${params.s}`);
    await run(res, url, { kind: 'subject-relabel', projectId: params.p, subjectId: subject.id, target: { subjectLabel: label(url, 'label') } });
  });
}
