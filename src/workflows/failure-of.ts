import { ApplicationFailure } from '@temporalio/workflow';

/** The innermost application failure (type and message) behind an activity's or child's failure, if any. */
export function failureOf(err: unknown): { type: string; message: string } | undefined {
  let e = err as { type?: unknown; message?: string; cause?: unknown } | undefined;
  while (e) {
    if (typeof e.type === 'string' && e.type) return { type: e.type, message: e.message ?? '' };
    e = e.cause as typeof e;
  }
  return undefined;
}

/**
 * Re-throws a failure as a non-retryable ApplicationFailure of its domain type, so that callers (client, parent
 * workflow) find the wire name at the top of the workflow's failure instead of under an ActivityFailure.
 */
export function rethrowAsDomainFailure(err: unknown): never {
  const cause = failureOf(err);
  if (cause) throw ApplicationFailure.create({ message: cause.message, type: cause.type, nonRetryable: true });
  throw err;
}
