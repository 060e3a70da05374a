import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { PrearchiveSession } from '../db/prearchive-repo';
import { DicomDestination, DicomProject, DicomStatus, DicomUploadMethod } from '../workflows/search-attributes';
import type { ArchiveSessionResult, PrearchiveOperationInput, PrearchiveOperationResult } from '../workflows/types';
import { prearchiveWorkflowId } from '../workflows/workflow-ids';

/** The outcome of a workflow a person waits for: its result, or the domain failure type and message. */
export type Outcome<T> = { ok: true; result: T } | { ok: false; type: string; message: string };

/** Another operation holds the session; the wire name the API maps to 409. */
const BUSY = { ok: false as const, type: 'SessionBusyError', message: 'another operation on this session is running; try again when it has finished' };

/** Waits for a workflow; resolves to its result or to the failure's domain type and message. */
export async function outcomeOf<T>(handle: Promise<WorkflowHandle>): Promise<Outcome<T>> {
  try {
    return { ok: true, result: (await (await handle).result()) as T };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return BUSY;
    if (!(err instanceof WorkflowFailedError)) throw err;
    return domainFailureOf(err);
  }
}

/** The first failure with a type in the cause chain of a workflow's (or update's) failure; else InternalError. */
export function domainFailureOf(err: Error & { cause?: unknown }): Extract<Outcome<never>, { ok: false }> {
  let e: unknown = err.cause;
  while (e) {
    const f = e as { type?: string; message?: string; cause?: unknown };
    if (f.type) return { ok: false, type: f.type, message: f.message ?? '' };
    e = f.cause;
  }
  return { ok: false, type: 'InternalError', message: err.message };
}

/**
 * Starts the commit of a prearchive session to the archive (the archiveSession workflow). Its id names the
 * prearchive session, so a second operation while one runs is refused by Temporal (conflict policy FAIL), and a
 * commit after a failed one starts a new run beside the failed one, which stays visible in the Web UI. The retry
 * of a failed direct archive passes that archive's own workflow id, so both attempts are runs of one workflow.
 */
export function startCommit(client: Client, taskQueue: string, pre: PrearchiveSession, overwrite: 'none' | 'append' | 'delete', workflowId = prearchiveWorkflowId(pre.id)) {
  return client.workflow.start('archiveSession', {
    taskQueue,
    workflowId,
    args: [{ uploadId: pre.uploadId!, groupId: pre.groupId!, overwrite, prearchiveId: pre.id }],
    workflowIdConflictPolicy: 'FAIL',
    typedSearchAttributes: [
      { key: DicomProject, value: pre.projectId ?? 'Unassigned' },
      { key: DicomUploadMethod, value: 'commit' },
      { key: DicomDestination, value: 'archive' },
      { key: DicomStatus, value: 'ARCHIVING' },
    ],
    staticSummary: `Commit prearchive session ${pre.id} to the archive (overwrite=${overwrite})`,
  });
}

/** Starts a move, delete or rebuild of a prearchive session (prearchiveOperation), under the session's workflow id. */
export function startPrearchiveOperation(client: Client, taskQueue: string, pre: PrearchiveSession, input: PrearchiveOperationInput) {
  return client.workflow.start('prearchiveOperation', {
    taskQueue,
    workflowId: prearchiveWorkflowId(pre.id),
    args: [input],
    workflowIdConflictPolicy: 'FAIL',
    typedSearchAttributes: [{ key: DicomProject, value: pre.projectId ?? 'Unassigned' }, { key: DicomDestination, value: 'prearchive' }],
    staticSummary: `${input.op} prearchive session ${pre.id}`,
  });
}

/** Commits and waits. */
export function commitPrearchive(client: Client, taskQueue: string, pre: PrearchiveSession, overwrite: 'none' | 'append' | 'delete'): Promise<Outcome<ArchiveSessionResult>> {
  return outcomeOf(startCommit(client, taskQueue, pre, overwrite));
}

/** Moves, deletes or rebuilds and waits. */
export function runPrearchiveOperation(client: Client, taskQueue: string, pre: PrearchiveSession, input: PrearchiveOperationInput): Promise<Outcome<PrearchiveOperationResult>> {
  return outcomeOf(startPrearchiveOperation(client, taskQueue, pre, input));
}
