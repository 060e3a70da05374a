/**
 * Taking session locks from an activity. A lock is released by its workflow's last step; a workflow that never
 * gets there (terminated from the Web UI or the CLI, timed out, reset) would hold its sessions forever and every
 * later edit or archive of them would wait and fail. So a lock whose holder is no longer running, by Temporal's
 * own account, is taken over, and the takeover is audited. A holder that is running, or whose state cannot be
 * read, keeps its lock: the caller waits (SessionBusyError is retryable).
 */
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Repositories } from '../db/repositories';

type LockResult = { ok: true } | { ok: false; heldBy: string; sessionId: string };

/** True unless Temporal says the latest run of `workflowId` has ended, or that there is no such workflow. */
async function stillRunning(workflowId: string): Promise<boolean> {
  try {
    const described = await Context.current().client.workflow.getHandle(workflowId).describe();
    return described.status.name === 'RUNNING';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    return true; // cannot tell (Temporal unreachable, no client): keep the lock, the caller retries
  }
}

/** Takes every lock of `sessionIds` for `owner` (all or none), taking over the locks of holders that have ended. */
export async function acquireSessionLocks(repos: Repositories, sessionIds: string[], owner: string): Promise<LockResult> {
  let result = await repos.sessionLocks.acquire(sessionIds, owner);
  for (let takeovers = 0; !result.ok && takeovers < sessionIds.length; takeovers++) {
    const { heldBy, sessionId } = result;
    if (await stillRunning(heldBy)) return result;
    if (await repos.sessionLocks.takeOver(sessionId, heldBy, owner)) {
      await repos.audit.append({ actor: 'system', action: 'session.lock-taken-over', sessionId, workflowId: owner, detail: { from: heldBy, reason: 'the holder workflow is no longer running' } });
    }
    result = await repos.sessionLocks.acquire(sessionIds, owner);
  }
  return result;
}
