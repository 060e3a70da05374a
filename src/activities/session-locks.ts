/**
 * Taking session locks from an activity. A lock whose holder has ended, by Temporal's own account
 * (src/client/ended-holders.ts), is taken over and the takeover audited; an edit that workflow was running is
 * marked FAILED (its staged files removed), the state `workflows retry` restarts an edit from. A holder that is
 * running, paused, or whose state cannot be read keeps its lock: the caller waits (SessionBusyError is retryable).
 */
import { Context } from '@temporalio/activity';
import { holderState } from '../client/ended-holders';
import type { ActivityDeps } from './deps';

type LockResult = { ok: true } | { ok: false; heldBy: string; sessionId: string };

/** Takes every lock of `sessionIds` for `owner` (all or none), taking over the locks of holders that have ended. */
export async function acquireSessionLocks(deps: Pick<ActivityDeps, 'repos' | 'store'>, sessionIds: string[], owner: string): Promise<LockResult> {
  const { repos, store } = deps;
  let result = await repos.sessionLocks.acquire(sessionIds, owner);
  for (let takeovers = 0; !result.ok && takeovers < sessionIds.length; takeovers++) {
    const { heldBy, sessionId, since } = result;
    const holder = await holderState(() => Context.current().client, heldBy);
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
