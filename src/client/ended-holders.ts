/**
 * Locks and claims held by workflows that have ended. A session lock (session_locks) and a prearchive session's
 * claim (prearchive_sessions.locked_by) are freed by their workflow's last step; a workflow that never gets there
 * (terminated from the Web UI or the CLI, timed out) would hold them forever. Temporal's own account of the holder
 * decides: only a holder whose latest run has ended, or that does not exist, loses what it holds.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { PrearchiveSession } from '../db/prearchive-repo';
import type { Repositories } from '../db/repositories';

/** Statuses of a run that will never release what it holds. */
const ENDED = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TERMINATED', 'TIMED_OUT']);

/** 'ended' with its status (or NOT_FOUND) when `workflowId`'s latest run has ended; else 'holding' (running, paused, or unknown). */
export async function holderState(client: Client | (() => Client), workflowId: string): Promise<{ state: 'ended'; status: string } | { state: 'holding' }> {
  try {
    const status = (await (typeof client === 'function' ? client() : client).workflow.getHandle(workflowId).describe()).status.name;
    return ENDED.has(status) ? { state: 'ended', status } : { state: 'holding' };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { state: 'ended', status: 'NOT_FOUND' };
    return { state: 'holding' }; // cannot tell (Temporal unreachable, no client): keep it, the caller retries or refuses
  }
}

/**
 * Frees the claim of a prearchive session whose holder has ended: the session becomes ERROR with the reason (XNAT
 * allows rebuild and delete from ERROR), and the release is audited. Returns the session as it is now.
 */
export async function freeEndedClaim(client: Client | (() => Client), repos: Repositories, pre: PrearchiveSession, actor: string): Promise<PrearchiveSession> {
  if (pre.lockedBy === null) return pre;
  const holder = await holderState(client, pre.lockedBy);
  if (holder.state === 'holding') return pre;
  const reason = `its workflow ${pre.lockedBy} ended (${holder.status}) without finishing its ${pre.status} step; rebuild or delete the session, or retry with dicom-intake workflows retry ${pre.lockedBy}`;
  if (await repos.prearchive.freeClaim(pre.id, pre.lockedBy, reason)) {
    await repos.audit.append({ actor, action: 'prearchive.claim-freed', projectId: pre.projectId, detail: { prearchiveId: pre.id, from: pre.lockedBy, holderStatus: holder.status, status: pre.status } });
  }
  return (await repos.prearchive.get(pre.id)) ?? pre;
}
