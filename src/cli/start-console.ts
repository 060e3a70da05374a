import type { Config, LogLevel } from '../config/load-config';

/**
 * The console level of `start`: warn, so that the summary (URLs, sign-in) is not buried under a line per request
 * and activity; DICOM_INTAKE_LOG_LEVEL, when set, wins. (log.level in temporal-dev.yaml is for the log file.)
 */
export function startConsoleLevel(config: Config, env: NodeJS.ProcessEnv): LogLevel {
  return env.DICOM_INTAKE_LOG_LEVEL !== undefined ? config.log.level : 'warn';
}
