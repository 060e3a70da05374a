import type { Client } from '@temporalio/client';
import type { Repositories } from '../db/repositories';
import type { EditKind, EditTarget } from '../domain/edit-kind';
import type { EditSessionInput } from '../workflows/types';
import { DicomProject, DicomStatus } from '../workflows/search-attributes';
import { sessionEditWorkflowId, subjectEditWorkflowId } from '../workflows/workflow-ids';

/** The site settings an edit carries into its workflow (workflows never read configuration). */
export interface EditSettings {
  rerunProjectAnon: boolean;
  retentionSeconds: number;
}

/** The configuration defaults (anonymization.rerunProjectAnonOnRename: true, edits.versionRetentionSeconds: 30 days). */
export const DEFAULT_EDIT_SETTINGS: EditSettings = { rerunProjectAnon: true, retentionSeconds: 30 * 24 * 3600 };

/** An edit as a person asks for it: the session (or, for a subject relabel, the subject) by id, and the target. */
export interface EditRequest {
  kind: EditKind;
  projectId: string;
  sessionId?: string;
  subjectId?: string;
  target: EditTarget;
}

/**
 * Starts an editSession run (a first run, or a retry under the same id): a second run while one is open is refused
 * (conflict policy FAIL); the project and EDITING status are set as search attributes at start.
 */
export function startEditWorkflow(client: Client, taskQueue: string, run: { workflowId: string; input: EditSessionInput; projectId: string; summary: string }) {
  return client.workflow.start('editSession', {
    taskQueue,
    workflowId: run.workflowId,
    args: [run.input],
    workflowIdConflictPolicy: 'FAIL',
    typedSearchAttributes: [
      { key: DicomProject, value: run.projectId },
      { key: DicomStatus, value: 'EDITING' },
    ],
    staticSummary: run.summary,
  });
}

/**
 * Records the edit and starts its workflow. The workflow id names the session (or subject): a second edit while
 * one runs is refused by Temporal (conflict policy FAIL, WorkflowExecutionAlreadyStartedError); the request's
 * labels stay in the database and only the edit id travels through Temporal.
 */
export async function startEdit(client: Client, taskQueue: string, repos: Repositories, req: EditRequest, settings: EditSettings) {
  const workflowId = req.kind === 'subject-relabel' ? subjectEditWorkflowId(req.subjectId!) : sessionEditWorkflowId(req.sessionId!);
  const edit = await repos.edits.create({ ...req, workflowId });
  try {
    const handle = await startEditWorkflow(client, taskQueue, {
      workflowId,
      input: { editId: edit.id, rerunProjectAnon: settings.rerunProjectAnon, retentionSeconds: settings.retentionSeconds },
      projectId: req.projectId,
      summary: `${req.kind} edit ${edit.id}`,
    });
    return { editId: edit.id, handle };
  } catch (err) {
    await repos.edits.fail(edit.id, `not started: ${(err as Error).name}`);
    throw err;
  }
}
