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
  /** A JSON log file written beside the destination, at its own level (`start`: a quiet console, a full file). */
  file?: { path: string; level: LogLevel };
}

const ORDER: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'silent'];

/** The one logger factory: JSON lines with ISO time, the redaction list applied, errors by name and message. */
export function createLogger(o: LoggerOptions): Logger {
  // Synchronous: a CLI command or a stopping stack exits right after its last line, which must not be lost.
  const main = o.destination ?? pino.destination({ fd: 2, sync: true });
  const level = o.file && ORDER.indexOf(o.file.level) < ORDER.indexOf(o.level) ? o.file.level : o.level;
  // Each stream filters at its own level; the logger lets through the lower of the two.
  const stream = o.file
    ? pino.multistream([
        ...(o.level === 'silent' ? [] : [{ level: o.level, stream: main }]),
        ...(o.file.level === 'silent' ? [] : [{ level: o.file.level, stream: pino.destination({ dest: o.file.path, mkdir: true, sync: true }) }]),
      ])
    : main;
  return pino(
    {
      level,
      name: o.name,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      formatters: { level: (label) => ({ level: label }) },
    },
    stream,
  );
}
