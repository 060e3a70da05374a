import type { ActivityInterceptorsFactory } from '@temporalio/worker';

/**
 * One info line per completed activity, with its duration. The context's logger adds workflowId, workflowType,
 * activityId, activityType, attempt and taskQueue, and routes through the service logger (installTemporalLogging);
 * failures are already logged by the SDK at warn. Inputs and results are never logged: ids only.
 */
export const activityLogging: ActivityInterceptorsFactory = (ctx) => ({
  inbound: {
    async execute(input, next) {
      const started = Date.now();
      const result = await next(input);
      ctx.log.info('activity completed', { durationMs: Date.now() - started });
      return result;
    },
  },
});
