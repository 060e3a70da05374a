import { Context } from '@temporalio/activity';

/**
 * Records progress of a long activity. File activities heartbeat once per file so that a worker killed mid-way
 * is noticed after the short heartbeat timeout (see activity-options.ts), not after the long start-to-close
 * timeout. Outside an activity (a direct call in a unit test) it does nothing.
 */
export function heartbeat(details?: { step: string; done: number }): void {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return;
  }
  context.heartbeat(details);
}
