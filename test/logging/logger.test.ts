import { describe, expect, it } from 'vitest';
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
