import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config/load-config';
import { REDACTED, REDACT_PATHS } from './redaction';

/** The service's logger type (pino): JSON lines, one object per event. */
export type { Logger } from 'pino';

/** How to build a logger. */
export interface LoggerOptions {
  level: LogLevel;
  /** Component name written on every line (api, worker, cli…). */
  name?: string;
  /** Where lines go; stderr by default, so that CLI output on stdout stays clean for `--json`. */
  destination?: DestinationStream;
}

/** The one logger factory: JSON lines with ISO time, the redaction list applied, errors by name and message. */
export function createLogger(o: LoggerOptions): Logger {
  return pino(
    {
      level: o.level,
      name: o.name,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      formatters: { level: (label) => ({ level: label }) },
    },
    // Synchronous: a CLI command or a stopping stack exits right after its last line, which must not be lost.
    o.destination ?? pino.destination({ fd: 2, sync: true }),
  );
}
