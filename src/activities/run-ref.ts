import { Context } from '@temporalio/activity';

/** The workflow run an activity works for, recorded on passes and audit events. */
export function currentRun(): { workflowId: string | null; runId: string | null } {
  const wf = Context.current().info.workflowExecution;
  return { workflowId: wf?.workflowId ?? null, runId: wf?.runId ?? null };
}
