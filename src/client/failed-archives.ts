import type { Client } from '@temporalio/client';
import type { Repositories } from '../db/repositories';
import type { ArchiveSessionInput, EditSessionInput } from '../workflows/types';
import { archiveWorkflowId, prearchiveWorkflowId } from '../workflows/workflow-ids';
import { startEditWorkflow } from './edit-ops';
import { holderState } from './ended-holders';
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
 * mode of the failed run. A failed direct archive (dest=/archive, a receiver to the archive) kept its session in
 * the prearchive as ERROR or CONFLICT: it is committed the same way, as a new run of the failed workflow id. The
 * site pass never runs again (the kept files are its output); the project pass runs once on the archived files.
 */
export async function retryFailedArchive(client: Client, taskQueue: string, repos: Repositories, asked: string): Promise<Outcome<{ workflowId: string; url?: string }>> {
  const workflowId = await failedArchiveOf(client, repos, asked);
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  const type = started?.workflowType?.name;
  if (type !== 'archiveSession' && type !== 'editSession') return { ok: false, type: 'BadRequestError', message: `workflow ${workflowId} is neither an archive (archiveSession) nor an edit (editSession)` };
  // The input holds ids only (DESIGN invariant 1) but is encrypted like every payload: decode through the codec.
  const { payloadCodecs, payloadConverter } = client.options.loadedDataConverter;
  let payloads = started?.input?.payloads ?? [];
  for (const codec of [...payloadCodecs].reverse()) payloads = await codec.decode(payloads);
  if (type === 'editSession') {
    const edit = payloads.length ? payloadConverter.fromPayload<EditSessionInput>(payloads[0]) : undefined;
    return edit ? retryFailedEdit(client, taskQueue, repos, workflowId, edit) : { ok: false, type: 'BadRequestError', message: `workflow ${workflowId} has no input` };
  }
  const input = payloads.length ? payloadConverter.fromPayload<ArchiveSessionInput>(payloads[0]) : undefined;
  if (!input) return { ok: false, type: 'BadRequestError', message: `workflow ${workflowId} has no input` };
  // A failed direct archive kept its session in the prearchive (found by its group); a commit names it.
  const direct = !input.prearchiveId;
  let pre = direct ? await repos.prearchive.byGroup(input.groupId) : await repos.prearchive.get(input.prearchiveId!);
  if (!pre && direct) return { ok: false, type: 'SessionNotFoundError', message: await goneDirectSession(repos, workflowId, input) };
  if (!pre) return { ok: false, type: 'SessionNotFoundError', message: `prearchive session ${input.prearchiveId} is gone (archived or deleted since)` };
  if (pre.status === 'ERROR') {
    const rebuilt = await outcomeOf(startPrearchiveOperation(client, taskQueue, pre, { op: 'rebuild', prearchiveId: pre.id }));
    if (!rebuilt.ok) return rebuilt;
    pre = (await repos.prearchive.get(pre.id))!;
  }
  // A direct archive is retried as a new run of its own workflow id, so the failed run and the retry are listed
  // together and the id drops out of the failed list once the retry succeeds.
  const committed = await outcomeOf<{ url: string }>(startCommit(client, taskQueue, pre, input.overwrite, direct ? workflowId : undefined));
  return committed.ok ? { ok: true, result: { workflowId, url: committed.result.url } } : committed;
}

/**
 * Retries a failed metadata edit from its recorded request (the edit row; only its id travels through Temporal):
 * the edit becomes RUNNING again and a new run of the same workflow id starts with the same input, so the
 * failed run stays visible beside it. beginEdit pins the project script in effect now, so a fixed script is used.
 */
async function retryFailedEdit(client: Client, taskQueue: string, repos: Repositories, workflowId: string, input: EditSessionInput): Promise<Outcome<{ workflowId: string }>> {
  const edit = await repos.edits.get(input.editId);
  if (!edit) return { ok: false, type: 'SessionNotFoundError', message: `edit ${input.editId} is not known` };
  if (edit.status === 'DONE') return { ok: true, result: { workflowId } };
  // An edit whose workflow was terminated (Web UI, CLI) or timed out never reached its failure step: it is FAILED now.
  if (edit.status === 'RUNNING') {
    const holder = await holderState(client, workflowId);
    if (holder.state === 'ended') await repos.edits.fail(edit.id, `its workflow ${workflowId} ended (${holder.status}) without finishing`);
  }
  if (!(await repos.edits.restart(edit.id))) return { ok: false, type: 'SessionBusyError', message: `edit ${edit.id} is ${edit.status}, not FAILED; wait for it to end` };
  const outcome = await outcomeOf(
    startEditWorkflow(client, taskQueue, { workflowId, input, projectId: edit.projectId, summary: `retry of edit ${edit.id}` }),
  );
  return outcome.ok ? { ok: true, result: { workflowId } } : outcome;
}

/**
 * The workflow to retry for a prearchive session's id (`pre_…` or `prearchive-pre_…`): its commit if one ran, else the direct
 * archive that kept it there (`archive-<group id>`), so `archive retry SESSION` works for both.
 */
async function failedArchiveOf(client: Client, repos: Repositories, asked: string): Promise<string> {
  const prefix = prearchiveWorkflowId('');
  // A prearchive session's own id (pre_…) names its workflow.
  const workflowId = asked.startsWith('pre_') ? prearchiveWorkflowId(asked) : asked;
  if (!workflowId.startsWith(prefix)) return workflowId;
  const ran = await client.workflow.getHandle(workflowId).describe().then(() => true, (err: Error) => (err.name === 'WorkflowNotFoundError' ? false : Promise.reject(err)));
  const pre = ran ? undefined : await repos.prearchive.get(workflowId.slice(prefix.length));
  return pre?.groupId ? archiveWorkflowId(pre.groupId) : workflowId;
}

/** Why a failed direct archive has no prearchive session to retry: committed or deleted since, or never kept. */
async function goneDirectSession(repos: Repositories, workflowId: string, input: ArchiveSessionInput): Promise<string> {
  const group = await repos.uploads.group(input.groupId);
  if (group?.status === 'ARCHIVED') return `the session of workflow ${workflowId} was archived since (committed from the prearchive as session ${group.sessionId}); nothing to retry`;
  if (!group) return `the session of workflow ${workflowId} was deleted from the prearchive since; nothing to retry`;
  return `workflow ${workflowId} archived upload ${input.uploadId} directly and kept no prearchive session (it failed before failed sessions were kept; its upload was quarantined), so send the files again`;
}
