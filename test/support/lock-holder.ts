import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';

/**
 * A real workflow that stays running until terminated, to hold a session lock in a test: no worker polls its task
 * queue, so Temporal reports it RUNNING (the lock takeover of src/activities/session-locks.ts leaves it alone).
 */
export function startLockHolder(client: Client, prefix: string): Promise<WorkflowHandle> {
  return client.workflow.start('heldByTest', { taskQueue: `no-worker-${randomUUID()}`, workflowId: `${prefix}-${randomUUID()}` });
}
