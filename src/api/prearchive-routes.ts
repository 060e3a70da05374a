import type { ServerResponse } from 'node:http';
import type { Client } from '@temporalio/client';
import { outcomeOf, startCommit, startPrearchiveOperation, type Outcome } from '../client/prearchive-ops';
import { runReceivingOperation, startReceivingOperation } from '../client/receiving-ops';
import type { PrearchiveSession } from '../db/prearchive-repo';
import type { Repositories } from '../db/repositories';
import { allows, refusalReason, type PrearchiveOperation } from '../domain/prearchive-status';
import type { BuildStudyResult, PrearchiveOperationInput } from '../workflows/types';
import { sendJson, sendText } from './http-io';
import { prearchiveDetails, prearchiveRow } from './prearchive-view';
import { onProject, requireProjectAccess, SIGNED_IN } from './access';
import { HttpError, type Router } from './router';
import { mayAccessProject, type Principal, type ProjectNeed } from '../domain/access';
import { freeEndedClaim } from '../client/ended-holders';

/** Whether a row stands for a study whose intake workflow is still collecting its files (RECEIVING or BUILDING). */
const receiving = (pre: PrearchiveSession) => !!pre.studyKey && !pre.uploadId;

/** HTTP status of each failure type of a prearchive operation. */
export const OPERATION_STATUS_OF: Record<string, number> = {
  SessionConflictError: 409,
  SessionBusyError: 409,
  PrearchiveStatusError: 409,
  LabelTakenError: 409,
  ProjectNotFoundError: 404,
  SessionNotFoundError: 404,
  AnonymizationFailedError: 422,
  EmptySessionError: 422,
};

type Overwrite = 'none' | 'append' | 'delete';
const overwriteOf = (v: string | null): Overwrite => {
  const mode = v ?? 'none';
  if (mode !== 'none' && mode !== 'append' && mode !== 'delete') throw new HttpError(400, `overwrite=${mode} is not one of none, append, delete`);
  return mode;
};

/**
 * XNAT's prearchive endpoints (list, details, commit / move / build, delete, POST /data/services/archive), which
 * wait for the operation, and the JSON API under /api/prearchive, which answers 202 with the workflow id at once
 * (or waits with ?wait=true).
 */
export function registerPrearchiveRoutes(router: Router, deps: { repos: Repositories; client: Client; taskQueue: string }): void {
  const { repos } = deps;

  const byAddress = async (project: string, ts: string, folder: string) => {
    const pre = await repos.prearchive.byAddress(project, ts, folder);
    if (!pre) throw new HttpError(404, `no prearchive session ${project}/${ts}/${folder}`);
    return pre;
  };
  const byId = async (id: string) => {
    const pre = await repos.prearchive.get(id);
    if (!pre) throw new HttpError(404, `no prearchive session ${id} (deleted or archived meanwhile?)`);
    return pre;
  };
  // A fast answer for the common case; the workflow's claim is what actually decides (two requests can race here).
  const precheck = (pre: PrearchiveSession, op: PrearchiveOperation) => {
    if (!allows(pre.status, op)) throw new HttpError(409, `cannot ${op} prearchive session ${pre.id}: ${refusalReason(pre.status, op)}`);
    if (op === 'commit' && !pre.projectId) throw new HttpError(409, `prearchive session ${pre.id} is Unassigned; move it to a project first (action=move&newProject=P)`);
  };
  /** Starts the workflow of one operation; the handle's id is what the JSON API returns. */
  const start = async (asked: PrearchiveSession, op: PrearchiveOperation, args: { overwrite?: Overwrite; project?: string }) => {
    // A session left claimed by a workflow that ended (terminated from the Web UI) becomes ERROR here, not stuck.
    const pre = await freeEndedClaim(deps.client, repos, asked, 'system');
    precheck(pre, op);
    if (op === 'commit') return startCommit(deps.client, deps.taskQueue, pre, args.overwrite ?? 'none');
    let input: PrearchiveOperationInput;
    if (op === 'move') {
      if (!args.project) throw new HttpError(400, 'a move needs the target project (newProject=P)');
      if (!(await repos.projects.get(args.project))) throw new HttpError(404, `project ${args.project} does not exist; create it first (PUT /data/projects/${args.project})`);
      input = { op, prearchiveId: pre.id, projectId: args.project };
    } else input = { op, prearchiveId: pre.id };
    return startPrearchiveOperation(deps.client, deps.taskQueue, pre, input);
  };
  /**
   * Runs one operation and waits. The row of a study whose files are still arriving stands for a session its
   * intake workflow is still collecting: a rebuild or delete of it is asked of that workflow (build now, or
   * discard), as XNAT allows both on a RECEIVING session; commit and move are refused by the status rules.
   */
  const run = async (pre: PrearchiveSession, op: PrearchiveOperation, args: { overwrite?: Overwrite; project?: string }): Promise<Outcome<Record<string, unknown> & { url?: string }>> => {
    if (receiving(pre) && (op === 'rebuild' || op === 'delete')) {
      precheck(pre, op);
      const o = await runReceivingOperation(deps.client, pre.studyKey!, op);
      if (!o.ok) return o;
      if (op === 'delete') return { ok: true, result: { ...o.result } };
      return { ok: true, result: { ...o.result, url: await builtUrl(pre, o.result as BuildStudyResult) } };
    }
    return outcomeOf<Record<string, unknown> & { url?: string }>(start(pre, op, args));
  };
  /** The URL a rebuilt RECEIVING study answers: its built prearchive session's, else (archived, failed) its own. */
  const builtUrl = async (pre: PrearchiveSession, built: BuildStudyResult) => {
    const session = built.uploadId ? (await repos.prearchive.list()).find((p) => p.uploadId === built.uploadId) : undefined;
    return prearchiveRow(session ?? pre).url;
  };
  const failed = (res: ServerResponse, o: Extract<Outcome<unknown>, { ok: false }>) =>
    sendJson(res, OPERATION_STATUS_OF[o.type] ?? 500, { error: `${o.type}: ${o.message}`, type: o.type });

  // XNAT: the answer is the resulting URL as text (archive URL after commit, new prearchive URL after move).
  const xnat = async (res: ServerResponse, pre: PrearchiveSession, op: PrearchiveOperation, args: { overwrite?: Overwrite; project?: string }) => {
    const o = await run(pre, op, args);
    if (!o.ok) return failed(res, o);
    sendText(res, 200, `${o.result.url ?? ''}\n`);
  };

  // Each person sees the projects they may read; Unassigned is for site administrators (reference §4.1).
  const list = async (principal: Principal, project?: string) =>
    (await repos.prearchive.list(project)).filter((p) => mayAccessProject(principal, p.projectId ?? 'Unassigned', 'read')).map(prearchiveRow);
  const guard = (principal: Principal, pre: PrearchiveSession, need: ProjectNeed) => requireProjectAccess(principal, pre.projectId ?? 'Unassigned', need);
  router.on('GET', '/data/prearchive/projects', SIGNED_IN, async ({ res, principal }) => {
    const rows = await list(principal);
    sendJson(res, 200, { ResultSet: { totalRecords: String(rows.length), Result: rows } });
  });
  router.on('GET', '/data/prearchive/projects/:p', onProject('p', 'read'), async ({ res, params, principal }) => {
    const rows = await list(principal, params.p);
    sendJson(res, 200, { ResultSet: { totalRecords: String(rows.length), Result: rows } });
  });
  router.on('GET', '/data/prearchive/projects/:p/:ts/:folder', onProject('p', 'read'), async ({ res, params }) => {
    sendJson(res, 200, await prearchiveDetails(repos, await byAddress(params.p, params.ts, params.folder)));
  });
  router.on('POST', '/data/prearchive/projects/:p/:ts/:folder', onProject('p', 'write'), async ({ res, params, url, principal }) => {
    const pre = await byAddress(params.p, params.ts, params.folder);
    const action = url.searchParams.get('action');
    switch (action) {
      case 'commit':
        return xnat(res, pre, 'commit', { overwrite: overwriteOf(url.searchParams.get('overwrite')) });
      case 'move': {
        const to = url.searchParams.get('newProject') ?? undefined;
        if (to) requireProjectAccess(principal, to, 'write');
        return xnat(res, pre, 'move', { project: to });
      }
      case 'build':
      case 'rebuild': {
        const o = await run(pre, 'rebuild', {});
        if (!o.ok) return failed(res, o);
        return sendText(res, 200, `${o.result.url ?? prearchiveRow(pre).url}\n`);
      }
      default:
        throw new HttpError(400, `action=${action ?? ''} is not one of commit, move, build`);
    }
  });
  router.on('DELETE', '/data/prearchive/projects/:p/:ts/:folder', onProject('p', 'write'), async ({ res, params }) => {
    const o = await run(await byAddress(params.p, params.ts, params.folder), 'delete', {});
    if (!o.ok) return failed(res, o);
    sendText(res, 200, 'deleted\n');
  });

  // XNAT's archive service: POST /data/services/archive?src=/prearchive/projects/P/TS/S&overwrite=…[&dest=/archive/projects/P]
  router.on('POST', '/data/services/archive', SIGNED_IN, async ({ res, url, principal }) => {
    const src = url.searchParams.get('src') ?? '';
    const m = /^(?:\/data)?\/prearchive\/projects\/([^/]+)\/([^/]+)\/([^/]+)\/?$/.exec(src);
    if (!m) throw new HttpError(400, `src=${src} is not /prearchive/projects/P/TIMESTAMP/SESSION`);
    requireProjectAccess(principal, m[1], 'write');
    const pre = await byAddress(m[1], m[2], m[3]);
    const dest = url.searchParams.get('dest');
    if (dest) {
      const d = /^\/archive\/projects\/([^/]+)\/?$/.exec(dest);
      if (!d) throw new HttpError(400, `dest=${dest}: only /archive/projects/P is supported; relabel after archiving (dicom-intake session relabel)`);
      if (d[1] !== pre.projectId) throw new HttpError(409, `dest project ${d[1]} is not the session's project ${pre.projectId ?? 'Unassigned'}; move the session first (action=move&newProject=${d[1]})`);
    }
    await xnat(res, pre, 'commit', { overwrite: overwriteOf(url.searchParams.get('overwrite')) });
  });

  // The project's JSON API: answers 202 with the workflow id, or the outcome with ?wait=true.
  router.on('GET', '/api/prearchive', SIGNED_IN, async ({ res, url, principal }) => sendJson(res, 200, { sessions: await list(principal, url.searchParams.get('project') ?? undefined) }));
  router.on('GET', '/api/prearchive/:id', SIGNED_IN, async ({ res, params, principal }) => {
    const pre = await byId(params.id);
    guard(principal, pre, 'read');
    sendJson(res, 200, await prearchiveDetails(repos, pre));
  });
  const json = async (res: ServerResponse, url: URL, pre: PrearchiveSession, op: PrearchiveOperation, args: { overwrite?: Overwrite; project?: string }) => {
    if (url.searchParams.get('wait') === 'true') {
      const o = await run(pre, op, args);
      if (!o.ok) return failed(res, o);
      return sendJson(res, 200, { prearchiveId: pre.id, op, ok: true, result: o.result });
    }
    if (receiving(pre) && (op === 'rebuild' || op === 'delete')) {
      // Accepted by the study's intake workflow: its id, and the update's id, name the request.
      precheck(pre, op);
      const started = await startReceivingOperation(deps.client, pre.studyKey!, op);
      if (!started.ok) return failed(res, started);
      return sendJson(res, 202, { prearchiveId: pre.id, op, workflowId: started.handle.workflowId, runId: started.handle.workflowRunId, updateId: started.handle.updateId });
    }
    const h = await start(pre, op, args).catch((err: Error) => {
      if (err.name === 'WorkflowExecutionAlreadyStartedError') throw new HttpError(409, `another operation on prearchive session ${pre.id} is running; try again when it has finished`);
      throw err;
    });
    sendJson(res, 202, { prearchiveId: pre.id, op, workflowId: h.workflowId, runId: h.firstExecutionRunId });
  };
  const writable = async (principal: Principal, id: string) => {
    const pre = await byId(id);
    guard(principal, pre, 'write');
    return pre;
  };
  router.on('POST', '/api/prearchive/:id/commit', SIGNED_IN, async ({ res, params, url, principal }) => json(res, url, await writable(principal, params.id), 'commit', { overwrite: overwriteOf(url.searchParams.get('overwrite')) }));
  router.on('POST', '/api/prearchive/:id/move', SIGNED_IN, async ({ res, params, url, principal }) => {
    const pre = await writable(principal, params.id);
    const to = url.searchParams.get('project') ?? undefined;
    if (to) requireProjectAccess(principal, to, 'write');
    await json(res, url, pre, 'move', { project: to });
  });
  router.on('POST', '/api/prearchive/:id/rebuild', SIGNED_IN, async ({ res, params, url, principal }) => json(res, url, await writable(principal, params.id), 'rebuild', {}));
  router.on('DELETE', '/api/prearchive/:id', SIGNED_IN, async ({ res, params, url, principal }) => json(res, url, await writable(principal, params.id), 'delete', {}));
}
