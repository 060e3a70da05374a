import type { Client } from '@temporalio/client';
import { listFailedWorkflows, retryFailedArchive } from '../client/failed-archives';
import type { Repositories } from '../db/repositories';
import { sendJson } from './http-io';
import { OPERATION_STATUS_OF } from './prearchive-routes';
import { SITE_ADMIN } from './access';
import { HttpError, type Router } from './router';

/**
 * Failed workflows from Temporal visibility, and the retry of failed archives:
 * GET /api/workflows?failed=true[&type=archiveSession], POST /api/archive/retry?workflowId=ID | ?all-failed=true.
 * Site administrators only: the list spans every project.
 */
export function registerWorkflowRoutes(router: Router, deps: { repos: Repositories; client: Client; taskQueue: string }): void {
  router.on('GET', '/api/workflows', SITE_ADMIN, async ({ res, url }) => {
    if (url.searchParams.get('failed') !== 'true') throw new HttpError(400, 'only failed=true is supported: the Temporal Web UI lists everything else');
    sendJson(res, 200, { workflows: await listFailedWorkflows(deps.client, deps.taskQueue, url.searchParams.get('type') ?? undefined) });
  });
  router.on('POST', '/api/archive/retry', SITE_ADMIN, async ({ res, url, principal }) => {
    const one = url.searchParams.get('workflowId');
    const all = url.searchParams.get('all-failed') === 'true';
    if (!one && !all) throw new HttpError(400, 'give workflowId=ID (see GET /api/workflows?failed=true) or all-failed=true');
    const failedOf = async (type: string) => (await listFailedWorkflows(deps.client, deps.taskQueue, type)).map((w) => w.workflowId);
    const ids = one ? [one] : [...(await failedOf('archiveSession')), ...(await failedOf('editSession'))];
    const results = [];
    for (const id of ids) {
      const o = await retryFailedArchive(deps.client, deps.taskQueue, deps.repos, id);
      // The outcome of every retry is recorded: who asked, which workflow, and how it ended (type only, no message).
      // A prearchive session's id resolves to the workflow that failed (its commit, or the direct archive that kept it).
      const workflowId = o.ok ? o.result.workflowId : id;
      await deps.repos.audit.append({ actor: principal.login, action: 'archive.retried', workflowId, detail: o.ok ? { ok: true } : { ok: false, type: o.type } });
      results.push(o.ok ? { workflowId, ok: true, url: o.result.url } : { workflowId: id, ok: false, error: `${o.type}: ${o.message}`, type: o.type });
    }
    const failed = results.find((r) => !r.ok);
    const status = one && failed ? (OPERATION_STATUS_OF[failed.type!] ?? (failed.type === 'BadRequestError' ? 400 : 500)) : 200;
    sendJson(res, status, { retried: results.length, results });
  });
}
