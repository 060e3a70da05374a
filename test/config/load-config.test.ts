import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load-config';
import { stagingKeyWarning } from '../../src/config/staging-warning';

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

describe('loadConfig: codec, HTTP exposure and logs', () => {
  it('When codec keys come from the environment, then they are parsed, the first encodes, and the keyring file defaults into the data folder', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const c = loadConfig({ DICOM_INTAKE_CODEC_KEYS: `new=${key},old=${key}`, DICOM_INTAKE_DATA_DIR: '/tmp/x' });
    expect(c.temporal.codec.keys!.map((k) => k.id)).toEqual(['new', 'old']);
    expect(c.temporal.codec.keyringFile).toBe('/tmp/x/codec-keyring.json');
    expect(() => loadConfig({ DICOM_INTAKE_CODEC_KEYS: 'k=short' })).toThrow(/DICOM_INTAKE_CODEC_KEYS: key k is not 32 bytes/);
  });
  it('When the HTTP API binds beyond loopback, then the codec endpoint is never open: it needs a signed-in site admin or the codec token', () => {
    expect(loadConfig({ DICOM_INTAKE_HTTP_HOST: '0.0.0.0' }).http.codecOpen).toBe(false);
    expect(loadConfig({ DICOM_INTAKE_HTTP_HOST: '0.0.0.0', DICOM_INTAKE_CODEC_TOKEN: 't' }).http).toMatchObject({ codecToken: 't', codecOpen: false });
    expect(loadConfig({ DICOM_INTAKE_HTTP_HOST: '127.0.0.1', DICOM_INTAKE_CODEC_TOKEN: 't' }).http.codecOpen).toBe(false);
    expect(loadConfig({ DICOM_INTAKE_HTTP_HOST: '127.0.0.1' }).http.codecOpen).toBe(true);
  });
  it('When only part of the OIDC settings of the codec endpoint is given, then the config is refused; all three are read with the user claim', () => {
    expect(() => loadConfig({ DICOM_INTAKE_CODEC_OIDC_ISSUER: 'https://id.example' })).toThrow(/go together/);
    expect(() => loadConfig({ DICOM_INTAKE_CODEC_OIDC_ISSUER: 'https://id.example', DICOM_INTAKE_CODEC_OIDC_AUDIENCE: 'ui', DICOM_INTAKE_CODEC_OIDC_JWKS: 'http://id.example/jwks' })).toThrow(/https/);
    const c = loadConfig({ DICOM_INTAKE_CODEC_OIDC_ISSUER: 'https://id.example', DICOM_INTAKE_CODEC_OIDC_AUDIENCE: 'ui', DICOM_INTAKE_CODEC_OIDC_JWKS: '/etc/jwks.json' });
    expect(c.http.codecOidc).toEqual({ issuer: 'https://id.example', audience: 'ui', jwks: '/etc/jwks.json', userClaim: 'preferred_username' });
    expect(loadConfig({}).http.codecOidc).toBeUndefined();
    expect(loadConfig({}).web).toEqual({ sessionMaxAgeSeconds: 43200, sessionIdleSeconds: 1800, secureCookie: false });
  });
  it('When no CORS origin is set, then the embedded Web UI origin is allowed; a log level outside the list is refused', () => {
    expect(loadConfig({ DICOM_INTAKE_TEMPORAL_UI_PORT: '9233' }).http.corsOrigins).toEqual(['http://127.0.0.1:9233', 'http://localhost:9233']);
    expect(() => loadConfig({ DICOM_INTAKE_LOG_LEVEL: 'loud' })).toThrow(/expected trace, debug, info, warn, error, silent/);
  });
});

describe('loadConfig: staging keys (raw data at rest)', () => {
  it('When staging keys are set, then they are parsed in the codec keyring format and a bad key is refused naming the variable', () => {
    const key = Buffer.alloc(32, 9).toString('base64');
    expect(loadConfig({ DICOM_INTAKE_STAGING_KEYS: `s2=${key},s1=${key}` }).staging.keys.map((k) => k.id)).toEqual(['s2', 's1']);
    expect(loadConfig({}).staging.keys).toEqual([]);
    expect(() => loadConfig({ DICOM_INTAKE_STAGING_KEYS: 'k=short' })).toThrow(/DICOM_INTAKE_STAGING_KEYS: key k is not 32 bytes/);
    expect(() => loadConfig({ DICOM_INTAKE_STAGING_KEYS: key })).toThrow(/DICOM_INTAKE_STAGING_KEYS: expected ID=BASE64KEY/);
  });
  it('When no staging key is set, then a warning is given only outside a loopback-only stack, and it names what is exposed, never a key', () => {
    const key = Buffer.alloc(32, 9).toString('base64');
    expect(stagingKeyWarning(loadConfig({}))).toBeUndefined();
    const exposed = stagingKeyWarning(loadConfig({ DICOM_INTAKE_DICOM_HOST: '0.0.0.0' }));
    expect(exposed).toMatch(/UNENCRYPTED .*receiver .* on 0\.0\.0\.0.*DICOM_INTAKE_STAGING_KEYS/);
    expect(stagingKeyWarning(loadConfig({ DICOM_INTAKE_HTTP_HOST: '10.0.0.5', DICOM_INTAKE_CODEC_TOKEN: 't' }))).toMatch(/http\.host 10\.0\.0\.5/);
    expect(stagingKeyWarning(loadConfig({ DICOM_INTAKE_DICOM_HOST: '0.0.0.0', DICOM_INTAKE_STAGING_KEYS: `s=${key}` }))).toBeUndefined();
  });
});

