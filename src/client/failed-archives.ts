import type { Client } from '@temporalio/client';
import type { Repositories } from '../db/repositories';
import type { ArchiveSessionInput } from '../workflows/types';
import { outcomeOf, startCommit, startPrearchiveOperation, type Outcome } from './prearchive-ops';

/** A workflow whose latest run failed, as listed from Temporal visibility (ids only). */
export interface FailedWorkflow {
  workflowId: string;
  runId: string;
  type: string;
  closedAt: string | null;
  project: string | null;
}

/**
 * Lists the workflows of this deployment (its task queue) whose latest run failed, from Temporal visibility.
 * A workflow id that failed and then succeeded on a later run (a retried commit) is not listed.
 */
export async function listFailedWorkflows(client: Client, taskQueue: string, type?: string): Promise<FailedWorkflow[]> {
  const query = [`TaskQueue = '${taskQueue.replace(/'/g, '')}'`, `ExecutionStatus = 'Failed'`, ...(type ? [`WorkflowType = '${type.replace(/'/g, '')}'`] : [])].join(' AND ');
  const seen = new Map<string, FailedWorkflow>();
  for await (const w of client.workflow.list({ query })) {
    if (seen.has(w.workflowId)) continue;
    const latest = await client.workflow.getHandle(w.workflowId).describe();
    if (latest.status.name !== 'FAILED' || latest.runId !== w.runId) continue;
    seen.set(w.workflowId, { workflowId: w.workflowId, runId: w.runId, type: w.type, closedAt: w.closeTime?.toISOString() ?? null, project: (w.typedSearchAttributes.getAll().find((p) => p.key.name === 'DicomProject')?.value as string | undefined) ?? null });
  }
  return [...seen.values()];
}

/**
 * Retries a failed commit of a prearchive session (after the cause was fixed, e.g. the project script): an ERROR
 * session is rebuilt first (XNAT allows only delete and rebuild from ERROR), then committed with the overwrite
 * mode of the failed run. Direct archives of an upload are not retried here: their upload was quarantined, so
 * the answer says to upload again.
 */
export async function retryFailedArchive(client: Client, taskQueue: string, repos: Repositories, workflowId: string): Promise<Outcome<{ workflowId: string; url?: string }>> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  if (started?.workflowType?.name !== 'archiveSession') return { ok: false, type: 'BadRequestError', message: `workflow ${workflowId} is not an archive (archiveSession)` };
  // The input holds ids only (DESIGN invariant 1) but is encrypted like every payload: decode through the codec.
  const { payloadCodecs, payloadConverter } = client.options.loadedDataConverter;
  let payloads = started.input?.payloads ?? [];
  for (const codec of [...payloadCodecs].reverse()) payloads = await codec.decode(payloads);
  const input = payloads.length ? payloadConverter.fromPayload<ArchiveSessionInput>(payloads[0]) : undefined;
  if (!input?.prearchiveId) return { ok: false, type: 'BadRequestError', message: `workflow ${workflowId} archived an upload directly; its upload was quarantined, so send the files again` };
  let pre = await repos.prearchive.get(input.prearchiveId);
  if (!pre) return { ok: false, type: 'SessionNotFoundError', message: `prearchive session ${input.prearchiveId} is gone (archived or deleted since)` };
  if (pre.status === 'ERROR') {
    const rebuilt = await outcomeOf(startPrearchiveOperation(client, taskQueue, pre, { op: 'rebuild', prearchiveId: pre.id }));
    if (!rebuilt.ok) return rebuilt;
    pre = (await repos.prearchive.get(pre.id))!;
  }
  const committed = await outcomeOf<{ url: string }>(startCommit(client, taskQueue, pre, input.overwrite));
  return committed.ok ? { ok: true, result: { workflowId, url: committed.result.url } } : committed;
}
