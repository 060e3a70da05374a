import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { KeyringError, parseKeyList, type CodecConfig, type CodecKey } from '../codec/keyring';
import { assertNever } from '../domain/assert-never';
import { parseRoutingRules } from '../domain/routing-rules';
import { readReceivers, type ReceiverConfig } from './receivers';
import { CONFIG_KEYS, type ConfigKey } from './schema';

/** The validated configuration of one process. */
export interface Config {
  dataDir: string;
  database: { client: 'sqlite3'; filename: string } | { client: 'pg'; connection: string };
  temporal: {
    address: string;
    namespace: string;
    taskQueue: string;
    uiPort: number;
    dbFile: string;
    searchAttributes: Record<string, string>;
    /** Payload encryption keys; every client and worker built from this config encrypts with them. */
    codec: CodecConfig;
  };
  http: {
    host: string;
    port: number;
    /** A static bearer token the codec endpoint accepts (besides signed-in site admins). */
    codecToken?: string;
    /** The codec endpoint needs no credentials: only on a loopback host without a token (the dev stack). */
    codecOpen: boolean;
    /** Browser origins allowed to call the codec endpoint (the Temporal Web UI). */
    corsOrigins: string[];
    /** OIDC access tokens the Web UI may pass to the codec endpoint (`codec.passAccessToken`); absent: refused. */
    codecOidc?: OidcConfig;
  };
  /** Sign-in sessions of the web pages. */
  web: { sessionMaxAgeSeconds: number; sessionIdleSeconds: number; secureCookie: boolean };
  /** `file`: a JSON log file `start` writes at `level` beside its quieter console (absent: none). */
  log: { level: LogLevel; file?: string };
  /** Raw data at rest: the staging keys (empty: plaintext staging). */
  staging: { keys: CodecKey[] };
  dicom: {
    aeTitle: string;
    port: number;
    host: string;
    sessionIdleSeconds: number;
    /** Site routing rules (reference §3.3), one rule per entry, tried after request parameters and receiver rules. */
    routing: { project: string[]; subject: string[]; session: string[] };
  };
  /** The C-STORE receivers (`receivers:` list, or the one described by the `dicom:` keys). */
  receivers: ReceiverConfig[];
  anonymization: { siteEnabled: boolean; rerunProjectAnonOnRename: boolean };
  edits: { versionRetentionSeconds: number };
  limits: {
    uploadMaxBytes: number;
    archiveMaxMembers: number;
    archiveMaxExpandedBytes: number;
    archiveMaxRatio: number;
    httpHeadersTimeoutSeconds: number;
    httpRequestTimeoutSeconds: number;
    maxConcurrentUploads: number;
    dicomMaxAssociations: number;
    dicomIdleTimeoutSeconds: number;
  };
  /** Folder of the YAML file (or the working directory): relative paths resolve against it. */
  baseDir: string;
}

/** How to verify an OIDC access token: who issues it, for whom, its signing keys, and which claim is the login. */
export interface OidcConfig {
  issuer: string;
  audience: string;
  /** A JWKS file (absolute path) or an https:// URL. */
  jwks: string;
  userClaim: string;
}

/** A configuration value that cannot be used; the message names the key, its source and what is expected. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'CONFIG_INVALID';
}

/** Levels of the JSON log, lowest first; `silent` writes nothing. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const;
/** One log level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

const SEARCH_ATTRIBUTE_TYPES = ['Keyword', 'Text', 'Int', 'Double', 'Bool', 'Datetime', 'KeywordList'];

/** Default location of the stack file: DICOM_INTAKE_CONFIG, else temporal-dev.yaml at the repository root. */
export function defaultConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.DICOM_INTAKE_CONFIG ?? resolve(__dirname, '../../temporal-dev.yaml');
}

/** Reads temporal-dev.yaml (if present), applies environment overrides and validates every key. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, file = defaultConfigFile(env)): Config {
  let doc: Record<string, unknown> = {};
  const baseDir = existsSync(file) ? dirname(resolve(file)) : process.cwd();
  if (existsSync(file)) {
    try {
      doc = (parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown>) ?? {};
    } catch (err) {
      throw new ConfigError(`${file} is not valid YAML: ${(err as Error).message}`);
    }
  }
  const values = new Map<string, string | number | boolean>();
  for (const key of CONFIG_KEYS) values.set(key.path, readKey(key, doc, env, file, baseDir));
  const get = <T>(path: string) => values.get(path) as T;

  const dbUrl = get<string>('database.url');
  const database = dbUrl.startsWith('sqlite://')
    ? ({ client: 'sqlite3', filename: resolvePath(dbUrl.slice('sqlite://'.length), baseDir) } as const)
    : ({ client: 'pg', connection: dbUrl } as const);

  const dataDir = get<string>('data.dir');
  const httpHost = get<string>('http.host');
  const uiPort = get<number>('temporal.uiPort');
  const codecToken = get<string>('http.codecToken') || undefined;
  const keyList = (path: string, envName: string) => {
    try {
      return parseKeyList(get<string>(path), env[envName] !== undefined ? `environment variable ${envName}` : `${file} key ${path}`);
    } catch (err) {
      if (err instanceof KeyringError) throw new ConfigError(err.message);
      throw err;
    }
  };
  const codecKeys = keyList('codec.keys', 'DICOM_INTAKE_CODEC_KEYS');
  const keyringFile = get<string>('codec.keyringFile');
  const corsOrigins = get<string>('http.corsOrigins')
    .split(',')
    .map((s) => s.trim().replace(/\/$/, ''))
    .filter(Boolean);

  const config: Config = {
    baseDir,
    dataDir,
    database,
    temporal: {
      address: get('temporal.address'),
      namespace: get('temporal.namespace'),
      taskQueue: get('temporal.taskQueue'),
      uiPort: get('temporal.uiPort'),
      dbFile: get('temporal.dbFile'),
      searchAttributes: readSearchAttributes(doc, file),
      codec: { keys: codecKeys.length ? codecKeys : undefined, keyringFile: keyringFile ? resolvePath(keyringFile, baseDir) : resolve(dataDir, 'codec-keyring.json') },
    },
    http: {
      host: httpHost,
      port: get('http.port'),
      codecToken,
      // Without credentials anyone who can reach the endpoint can decrypt history; tolerable on loopback only.
      codecOpen: !codecToken && isLoopback(httpHost),
      corsOrigins: corsOrigins.length ? corsOrigins : [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`],
      codecOidc: readOidc(get, baseDir),
    },
    web: { sessionMaxAgeSeconds: get('web.sessionMaxAgeSeconds'), sessionIdleSeconds: get('web.sessionIdleSeconds'), secureCookie: get('web.secureCookie') },
    log: { level: get('log.level'), file: get<string>('log.file') ? resolvePath(get<string>('log.file'), baseDir) : undefined },
    staging: { keys: keyList('staging.keys', 'DICOM_INTAKE_STAGING_KEYS') },
    dicom: {
      aeTitle: get('dicom.aeTitle'),
      port: get('dicom.port'),
      host: get('dicom.host'),
      sessionIdleSeconds: get('dicom.sessionIdleSeconds'),
      routing: { project: ruleLines(get('dicom.routing.project')), subject: ruleLines(get('dicom.routing.subject')), session: ruleLines(get('dicom.routing.session')) },
    },
    receivers: readReceivers(
      doc.receivers,
      { aeTitle: get('dicom.aeTitle'), port: get('dicom.port'), host: get('dicom.host'), sessionIdleSeconds: get('dicom.sessionIdleSeconds') },
      (m) => new ConfigError(`${file}: ${m}`),
    ),
    anonymization: { siteEnabled: get('anonymization.siteEnabled'), rerunProjectAnonOnRename: get('anonymization.rerunProjectAnonOnRename') },
    edits: { versionRetentionSeconds: get('edits.versionRetentionSeconds') },
    limits: {
      uploadMaxBytes: get('limits.uploadMaxBytes'),
      archiveMaxMembers: get('limits.archiveMaxMembers'),
      archiveMaxExpandedBytes: get('limits.archiveMaxExpandedBytes'),
      archiveMaxRatio: get('limits.archiveMaxRatio'),
      httpHeadersTimeoutSeconds: get('limits.httpHeadersTimeoutSeconds'),
      httpRequestTimeoutSeconds: get('limits.httpRequestTimeoutSeconds'),
      maxConcurrentUploads: get('limits.maxConcurrentUploads'),
      dicomMaxAssociations: get('limits.dicomMaxAssociations'),
      dicomIdleTimeoutSeconds: get('limits.dicomIdleTimeoutSeconds'),
    },
  };
  // Routing rules are checked here so that a bad rule stops the process at start, not an upload later.
  for (const [where, sets] of [['dicom.routing', config.dicom.routing], ...config.receivers.map((r) => [`receiver ${r.id} routing`, r.routing] as const)] as const) {
    for (const rules of [sets.project, sets.subject, sets.session]) {
      try {
        parseRoutingRules(rules);
      } catch (err) {
        throw new ConfigError(`${file} ${where}: ${(err as Error).message}`);
      }
    }
  }
  return config;
}

function readKey(key: ConfigKey, doc: Record<string, unknown>, env: NodeJS.ProcessEnv, file: string, baseDir: string) {
  const fromEnv = env[key.env];
  const fromFile = key.path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], doc);
  const raw = fromEnv ?? fromFile ?? key.default;
  const source = fromEnv !== undefined ? `environment variable ${key.env}` : fromFile !== undefined ? `${file} key ${key.path}` : `default of ${key.path}`;
  const bad = (expected: string) =>
    new ConfigError(`${source} = ${JSON.stringify(raw)} is invalid: expected ${expected} (${key.doc}).`);
  // A YAML list (routing rules) is read as one entry per line.
  const text = (Array.isArray(raw) ? raw.join('\n') : String(raw)).trim();
  switch (key.kind) {
    case 'string':
      if (!text) throw bad('a non-empty string');
      return text;
    case 'text':
      return text;
    case 'logLevel':
      if (!(LOG_LEVELS as readonly string[]).includes(text)) throw bad(LOG_LEVELS.join(', '));
      return text;
    case 'path':
      if (!text) throw bad('a path');
      return resolvePath(text, baseDir);
    case 'port': {
      const n = Number(text);
      if (!Number.isInteger(n) || n < 0 || n > 65535) throw bad('a port number 0-65535');
      return n;
    }
    case 'int': {
      const n = Number(text);
      if (!Number.isSafeInteger(n) || n <= 0) throw bad('a positive whole number');
      return n;
    }
    case 'bool':
      if (/^(true|1|yes|on)$/i.test(text)) return true;
      if (/^(false|0|no|off)$/i.test(text)) return false;
      throw bad('true or false');
    case 'address':
      if (!/^[^\s:]+:\d{1,5}$/.test(text)) throw bad('host:port');
      return text;
    case 'dbUrl':
      if (!/^(sqlite:\/\/.+|postgres(ql)?:\/\/.+)$/.test(text)) throw bad('sqlite://FILE or postgres://…');
      return text;
    default:
      return assertNever(key.kind);
  }
}

function readSearchAttributes(doc: Record<string, unknown>, file: string): Record<string, string> {
  const raw = (doc.temporal as Record<string, unknown> | undefined)?.searchAttributes ?? {};
  if (typeof raw !== 'object' || raw === null) throw new ConfigError(`${file} key temporal.searchAttributes must be a map of Name: Type`);
  const out: Record<string, string> = {};
  for (const [name, type] of Object.entries(raw)) {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) throw new ConfigError(`${file}: search attribute name ${JSON.stringify(name)} is invalid`);
    if (!SEARCH_ATTRIBUTE_TYPES.includes(String(type))) {
      throw new ConfigError(`${file}: search attribute ${name} has type ${JSON.stringify(type)}; expected one of ${SEARCH_ATTRIBUTE_TYPES.join(', ')}`);
    }
    out[name] = String(type);
  }
  return out;
}

// All three of issuer, audience and keys, or none: a token checked against fewer would prove less than it seems.
function readOidc(get: <T>(path: string) => T, baseDir: string): OidcConfig | undefined {
  const issuer = get<string>('codec.oidcIssuer');
  const audience = get<string>('codec.oidcAudience');
  const jwks = get<string>('codec.oidcJwks');
  const set = [issuer, audience, jwks].filter(Boolean).length;
  if (set === 0) return undefined;
  if (set < 3) throw new ConfigError('codec.oidcIssuer, codec.oidcAudience and codec.oidcJwks (DICOM_INTAKE_CODEC_OIDC_*) go together: set all three to accept OIDC access tokens at the codec endpoint, or none.');
  if (/^http:\/\//i.test(jwks)) throw new ConfigError(`codec.oidcJwks = ${jwks}: fetch signing keys over https:// (or give a file path)`);
  return { issuer, audience, jwks: /^https:\/\//i.test(jwks) ? jwks : resolvePath(jwks, baseDir), userClaim: get<string>('codec.oidcUserClaim') };
}

/** Whether a bind address is loopback only (the dev stack). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** Rule text to rules: one per non-blank line; "-" alone means none (a config key cannot be empty). */
function ruleLines(text: string): string[] {
  return text === '-' ? [] : text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
}

function resolvePath(p: string, baseDir: string): string {
  return isAbsolute(p) ? p : resolve(baseDir, p);
}
