/**
 * Taking session locks from an activity. A lock is released by its workflow's last step; a workflow that never
 * gets there (terminated from the Web UI or the CLI, timed out) would hold its sessions forever and every later
 * edit or archive of them would wait and fail. So a lock whose holder has ended, by Temporal's own account, is
 * taken over and the takeover audited; an edit that workflow was running is marked FAILED (its staged files
 * removed), so that `workflows retry` can run it again. A holder that is running, paused, or whose state cannot
 * be read keeps its lock: the caller waits (SessionBusyError is retryable).
 */
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { ActivityDeps } from './deps';

type LockResult = { ok: true } | { ok: false; heldBy: string; sessionId: string };

/** Statuses of a run that will never release its locks. */
const ENDED = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TERMINATED', 'TIMED_OUT']);

/** How the latest run of `workflowId` stands: 'ended' (or no such workflow), else 'holding' (running, paused, unknown). */
async function holderState(workflowId: string): Promise<{ state: 'ended'; status: string } | { state: 'holding' }> {
  try {
    const status = (await Context.current().client.workflow.getHandle(workflowId).describe()).status.name;
    return ENDED.has(status) ? { state: 'ended', status } : { state: 'holding' };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { state: 'ended', status: 'NOT_FOUND' };
    return { state: 'holding' }; // cannot tell (Temporal unreachable, no client): keep the lock, the caller retries
  }
}

/** Takes every lock of `sessionIds` for `owner` (all or none), taking over the locks of holders that have ended. */
export async function acquireSessionLocks(deps: Pick<ActivityDeps, 'repos' | 'store'>, sessionIds: string[], owner: string): Promise<LockResult> {
  const { repos, store } = deps;
  let result = await repos.sessionLocks.acquire(sessionIds, owner);
  for (let takeovers = 0; !result.ok && takeovers < sessionIds.length; takeovers++) {
    const { heldBy, sessionId, since } = result;
    const holder = await holderState(heldBy);
    if (holder.state === 'holding') return result;
    if (await repos.sessionLocks.takeOver(sessionId, heldBy, since, owner)) {
      const reason = `its workflow ${heldBy} ended (${holder.status}) without finishing; retry it with dicom-intake workflows retry ${heldBy}`;
      for (const editId of await repos.edits.failRunningOf(heldBy, reason)) await store.remove(store.stagingKey(`edit-${editId}`));
      await repos.audit.append({ actor: 'system', action: 'session.lock-taken-over', sessionId, workflowId: owner, detail: { from: heldBy, holderStatus: holder.status } });
    }
    result = await repos.sessionLocks.acquire(sessionIds, owner);
  }
  return result;
}
