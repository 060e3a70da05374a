import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Knex } from 'knex';

/**
 * A real workflow that stays running until terminated, to hold a session lock in a test: no worker polls its task
 * queue, so Temporal reports it RUNNING (the lock takeover of src/activities/session-locks.ts leaves it alone).
 */
export function startLockHolder(client: Client, prefix: string): Promise<WorkflowHandle> {
  return client.workflow.start('heldByTest', { taskQueue: `no-worker-${randomUUID()}`, workflowId: `${prefix}-${randomUUID()}` });
}

/** Makes a running holder (startLockHolder) hold the archived session's lock, as an archive or edit in progress would. */
export async function holdSessionLock(stack: { client: Client; db: Knex }, sessionId: string, prefix: string): Promise<WorkflowHandle> {
  const holder = await startLockHolder(stack.client, prefix);
  await stack.db('session_locks').insert({ session_id: sessionId, owner: holder.workflowId, acquired_at: new Date().toISOString() });
  return holder;
}
