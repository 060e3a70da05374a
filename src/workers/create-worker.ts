import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { activityLogging } from '../logging/activity-logging';
import { WORKFLOW_BUNDLE_OPTIONS } from './workflows-path';

/** Where the worker finds its workflow code: the TypeScript sources, or a bundle built once (tests, CI). */
export type WorkflowSource = { workflowsPath: string } | { workflowBundle: { codePath: string } };

/** Composition root of a worker: deps → activities → Worker on one task queue. */
export async function createWorker(args: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** From createDataConverter: required, so that no worker can run without encryption by omission. */
  dataConverter: DataConverter;
  /** A prebuilt bundle must come from WORKFLOW_BUNDLE_OPTIONS (it carries the failure converter). */
  workflows?: WorkflowSource;
  options?: Partial<WorkerOptions>;
}): Promise<Worker> {
  return Worker.create({
    connection: args.connection,
    namespace: args.namespace,
    taskQueue: args.taskQueue,
    activities: createActivities(args.deps),
    dataConverter: args.dataConverter,
    ...(args.workflows ?? { workflowsPath: WORKFLOW_BUNDLE_OPTIONS.workflowsPath }),
    interceptors: { activity: [activityLogging] },
    // Let in-flight activities finish on Ctrl-C; each is idempotent anyway, so a cut one is simply retried.
    shutdownGraceTime: '10 seconds',
    ...args.options,
  });
}
