import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { assertNever } from '../domain/assert-never';
import { DB_ACTIVITY_OPTIONS, FILE_ACTIVITY_OPTIONS } from './activity-options';
import { failureOf, rethrowAsDomainFailure } from './failure-of';
import type { PrearchiveOperationInput, PrearchiveOperationResult } from './types';

const files = proxyActivities<Activities>(FILE_ACTIVITY_OPTIONS);
const db = proxyActivities<Activities>(DB_ACTIVITY_OPTIONS);

/** Failures after which the session is unchanged, so it goes back to READY rather than to ERROR. */
const NOTHING_CHANGED = new Set(['ProjectNotFoundError', 'PrearchiveStatusError']);

/**
 * Move a prearchive session to another project, delete it, or rebuild it: claim the session's lock (refused when
 * its status does not allow the operation), run the operation, release. Audited, retried, visible in the Web UI.
 */
export async function prearchiveOperation(input: PrearchiveOperationInput): Promise<PrearchiveOperationResult> {
  const { prearchiveId, op } = input;
  // Outside the try: a refused claim leaves the session as it was (another operation owns it).
  await db.claimPrearchive({ prearchiveId, op }).catch(rethrowAsDomainFailure);
  await db.beginPrearchive({ prearchiveId, op });
  try {
    switch (input.op) {
      case 'move':
        return { prearchiveId, op, ...(await files.movePrearchiveSession({ prearchiveId, projectId: input.projectId })) };
      case 'delete':
        await files.deletePrearchiveSession({ prearchiveId });
        return { prearchiveId, op };
      case 'rebuild':
        return { prearchiveId, op, ...(await files.rebuildPrearchiveSession({ prearchiveId })) };
      default:
        return assertNever(input);
    }
  } catch (err) {
    const cause = failureOf(err);
    const unchanged = !!cause && NOTHING_CHANGED.has(cause.type);
    await db.releasePrearchive({ prearchiveId, status: unchanged ? 'READY' : 'ERROR', reason: unchanged ? undefined : `${op} failed: ${cause ? `${cause.type}: ${cause.message}` : 'internal error; see the workflow history'}` });
    rethrowAsDomainFailure(err);
  }
}
