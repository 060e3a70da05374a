import type { ActivityOptions } from '@temporalio/workflow';
import { NON_RETRYABLE_ERROR_TYPES } from '../domain/intake-errors';

/** Retry policy beside the proxies: I/O failures retry with backoff; the listed domain errors never do. */
export const FILE_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 minutes',
  // File activities heartbeat per file (activities/heartbeat.ts); a killed worker's activity is retried after
  // this, not after the 30 minutes a large upload may legitimately take.
  heartbeatTimeout: '20 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 10,
    nonRetryableErrorTypes: [...NON_RETRYABLE_ERROR_TYPES],
  },
};

/** Short database-only activities. */
export const DB_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { ...FILE_ACTIVITY_OPTIONS.retry },
};

/**
 * Taking a session lock: SessionBusyError is retryable on purpose, so this policy is how an operation waits for
 * the one holding the session (about five minutes), after which the workflow fails with the busy message.
 */
export const LOCK_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 1.5, maximumInterval: '10 seconds', maximumAttempts: 40, nonRetryableErrorTypes: [...NON_RETRYABLE_ERROR_TYPES] },
};
