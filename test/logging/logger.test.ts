import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startConsoleLevel } from '../../src/cli/start-console';
import { loadConfig } from '../../src/config/load-config';
import { createLogger } from '../../src/logging/logger';
import { REDACTED } from '../../src/logging/redaction';

/** A logger writing into an array, one parsed JSON object per line. */
function capture(level: 'info' | 'warn' = 'info') {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level, name: 'unit', destination: { write: (s: string) => void lines.push(JSON.parse(s)) } });
  return { logger, lines };
}

describe('JSON logger', () => {
  it('When an object with DICOM header values, HTTP headers or secrets is logged, then those values are redacted', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        PatientName: 'Leak^Name',
        patientId: 'LEAKID',
        upload: { PatientBirthDate: '19000101', AccessionNumber: 'ACC1', files: 3 },
        headers: { authorization: 'Bearer tok-1', 'x-request-id': 'r1' },
        codecToken: 'tok-2',
        keys: 'k=AAAA',
        uploadId: 'up_1',
      },
      'something happened',
    );
    const [line] = lines;
    const text = JSON.stringify(line);
    for (const leak of ['Leak^Name', 'LEAKID', '19000101', 'ACC1', 'tok-1', 'tok-2', 'k=AAAA']) expect(text).not.toContain(leak);
    expect(line).toMatchObject({ level: 'info', name: 'unit', msg: 'something happened', uploadId: 'up_1', PatientName: REDACTED, upload: { files: 3, AccessionNumber: REDACTED } });
    expect(typeof line.time).toBe('string');
  });

  it('When the level is warn, then info lines are dropped and warnings kept', () => {
    const { logger, lines } = capture('warn');
    logger.info('quiet');
    logger.warn('loud');
    expect(lines.map((l) => l.msg)).toEqual(['loud']);
  });
});

describe('start: a quiet console and a full log file', () => {
  it('When start runs without DICOM_INTAKE_LOG_LEVEL, then its console shows warnings only while the log file keeps info lines', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'log-file-'));
    try {
      const file = join(dir, 'logs', 'start.log');
      const config = loadConfig({ DICOM_INTAKE_LOG_FILE: file }, join(dir, 'none.yaml'));
      expect(config.log).toEqual({ level: 'info', file });
      const consoleLevel = startConsoleLevel(config, {});
      expect(consoleLevel).toBe('warn');
      const shown: string[] = [];
      const logger = createLogger({ level: consoleLevel, name: 'start', destination: { write: (s: string) => void shown.push(JSON.parse(s).msg) }, file: { path: file, level: config.log.level } });
      logger.info('activity completed');
      logger.warn('receiver did not start');
      expect(shown).toEqual(['receiver did not start']);
      const kept = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l).msg);
      expect(kept).toEqual(['activity completed', 'receiver did not start']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('When DICOM_INTAKE_LOG_LEVEL is set, then start uses it on the console', () => {
    const env = { DICOM_INTAKE_LOG_LEVEL: 'info' };
    expect(startConsoleLevel(loadConfig(env, '/nonexistent/none.yaml'), env)).toBe('info');
    const debug = { DICOM_INTAKE_LOG_LEVEL: 'debug' };
    expect(startConsoleLevel(loadConfig(debug, '/nonexistent/none.yaml'), debug)).toBe('debug');
  });
});
