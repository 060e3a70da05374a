import { IllegalStateError, type LogLevel as TemporalLevel } from '@temporalio/common';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { Logger } from 'pino';

const TO_PINO = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;
const TO_TEMPORAL: Record<string, TemporalLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', silent: 'ERROR', fatal: 'ERROR' };

/**
 * The SDK's INFO lines that belong to no workflow or activity (bundler statistics, worker state changes) are
 * demoted to debug: at info level the log then tells what happened to uploads, not how the worker booted.
 */
function pinoLevel(l: TemporalLevel, meta: Record<string, unknown> | undefined) {
  if (l === 'INFO' && !meta?.workflowId && !meta?.activityId) return 'debug';
  return TO_PINO[l];
}

/**
 * Routes the SDK's logs (worker state, workflow `log`, activity `log` with workflowId/activityId/attempt, and the
 * native core's own lines) into the service logger, filtered at the logger's level. The Runtime is a process
 * singleton that must be installed before the first connection; a second call is ignored and reports false.
 */
export function installTemporalLogging(logger: Logger, opts: { shutdownSignals?: NodeJS.Signals[] } = {}): boolean {
  const level = TO_TEMPORAL[logger.level] ?? 'INFO';
  const sdk = logger.child({ component: 'temporal' });
  try {
    Runtime.install({
      logger: new DefaultLogger(level, ({ level: l, message, meta }) => sdk[pinoLevel(l, meta)](meta ?? {}, message)),
      telemetryOptions: { logging: { filter: { core: level === 'TRACE' || level === 'DEBUG' ? level : 'WARN', other: 'ERROR' }, forward: {} } },
      ...(opts.shutdownSignals ? { shutdownSignals: opts.shutdownSignals } : {}),
    });
    return true;
  } catch (err) {
    if (err instanceof IllegalStateError) return false;
    throw err;
  }
}
