import { WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateStage, type Client, type WorkflowUpdateHandle } from '@temporalio/client';
import { BUILD_STUDY_UPDATE, DISCARD_STUDY_UPDATE, type BuildStudyResult, type DiscardStudyResult } from '../workflows/types';
import { domainFailureOf, type Outcome } from './prearchive-ops';
import { studyWorkflowId } from './start-study';

/** The operations a RECEIVING session allows (XNAT's table): build it now, or discard it. */
export type ReceivingOperation = 'rebuild' | 'delete';

/** The result of each operation on a RECEIVING session. */
export type ReceivingResult<Op extends ReceivingOperation> = Op extends 'rebuild' ? BuildStudyResult : DiscardStudyResult;

const UPDATE_OF = { rebuild: BUILD_STUDY_UPDATE, delete: DISCARD_STUDY_UPDATE } as const;

/** No open intake run: it ended between the listing and the request (idle time, another request); the API maps it to 409. */
const CLOSED = { ok: false as const, type: 'PrearchiveStatusError', message: 'its intake workflow is not open (the study has just been built or deleted, or its receiver starts the intake again when it restarts); list the prearchive again' };

/** The domain failure carried by an update's failure (the validator's refusal, or the handler's error). */
function refusalOf(err: unknown): Extract<Outcome<never>, { ok: false }> | undefined {
  if (err instanceof WorkflowNotFoundError) return CLOSED;
  return err instanceof WorkflowUpdateFailedError ? domainFailureOf(err) : undefined;
}

/**
 * Asks the intake workflow of a RECEIVING study to build now or to discard, and resolves once the workflow has
 * accepted (its validator refuses a study that is being built or deleted), with the update's handle; or to the
 * refusal. The request goes to the study's own workflow rather than to a prearchive operation: that workflow owns
 * the files and the row until it has built them.
 */
export async function startReceivingOperation<Op extends ReceivingOperation>(client: Client, studyKey: string, op: Op): Promise<{ ok: true; handle: WorkflowUpdateHandle<ReceivingResult<Op>> } | Extract<Outcome<never>, { ok: false }>> {
  try {
    const handle = await client.workflow.getHandle(studyWorkflowId(studyKey)).startUpdate<ReceivingResult<Op>, []>(UPDATE_OF[op], { args: [], waitForStage: WorkflowUpdateStage.ACCEPTED });
    return { ok: true, handle };
  } catch (err) {
    const refused = refusalOf(err);
    if (refused) return refused;
    throw err;
  }
}

/** Builds or discards a RECEIVING study and waits for the outcome. */
export async function runReceivingOperation<Op extends ReceivingOperation>(client: Client, studyKey: string, op: Op): Promise<Outcome<ReceivingResult<Op>>> {
  const started = await startReceivingOperation(client, studyKey, op);
  if (!started.ok) return started;
  try {
    return { ok: true, result: await started.handle.result() };
  } catch (err) {
    const refused = refusalOf(err);
    if (refused) return refused;
    throw err;
  }
}
