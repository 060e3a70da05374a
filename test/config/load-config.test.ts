import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load-config';

const yamlFile = (text: string) => {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  const f = join(dir, 'temporal-dev.yaml');
  writeFileSync(f, text);
  return { dir, f };
};

describe('loadConfig', () => {
  it('When the repository file is read, then every key has a value and relative paths resolve against its folder', () => {
    const c = loadConfig({});
    expect(c.http.port).toBe(8080);
    expect(c.temporal.searchAttributes).toMatchObject({ DicomProject: 'Keyword', DicomStatus: 'Keyword' });
    expect(c.dataDir.endsWith('/.data')).toBe(true);
    expect(c.database).toMatchObject({ client: 'sqlite3' });
  });
  it('When an environment variable is set, then it overrides the file', () => {
    const { f } = yamlFile('http:\n  port: 9000\n');
    expect(loadConfig({}, f).http.port).toBe(9000);
    expect(loadConfig({ DICOM_INTAKE_HTTP_PORT: '9100' }, f).http.port).toBe(9100);
  });
  it('When a value is invalid, then the error names the key, its source and what is expected', () => {
    const { f } = yamlFile('http:\n  port: lots\n');
    expect(() => loadConfig({}, f)).toThrow(ConfigError);
    expect(() => loadConfig({}, f)).toThrow(/key http.port = "lots" is invalid: expected a port number/);
    expect(() => loadConfig({ DICOM_INTAKE_TEMPORAL_ADDRESS: 'nowhere' }, f)).toThrow(/DICOM_INTAKE_TEMPORAL_ADDRESS = "nowhere" is invalid: expected host:port/);
    const bad = yamlFile('temporal:\n  searchAttributes:\n    DicomProject: Strange\n');
    expect(() => loadConfig({}, bad.f)).toThrow(/search attribute DicomProject has type "Strange"/);
  });
  it('When the YAML is broken, then the error says so', () => {
    const { f } = yamlFile('http: [unclosed\n');
    expect(() => loadConfig({}, f)).toThrow(/is not valid YAML/);
  });
});
