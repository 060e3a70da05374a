/** One configuration key: where it sits in temporal-dev.yaml, its environment variable, default and meaning. */
export interface ConfigKey {
  path: string;
  env: string;
  kind: 'string' | 'text' | 'port' | 'int' | 'bool' | 'path' | 'address' | 'dbUrl' | 'logLevel';
  default: string | number | boolean;
  doc: string;
}

/** Every configuration key the service reads; `loadConfig` validates each one. */
export const CONFIG_KEYS = [
  { path: 'data.dir', env: 'DICOM_INTAKE_DATA_DIR', kind: 'path', default: '.data', doc: 'folder holding staging, prearchive, archive, quarantine and the databases' },
  { path: 'database.url', env: 'DICOM_INTAKE_DATABASE_URL', kind: 'dbUrl', default: 'sqlite://.data/dicom-intake.sqlite', doc: 'sqlite://FILE (default) or postgres://user@host/db' },
  { path: 'temporal.address', env: 'DICOM_INTAKE_TEMPORAL_ADDRESS', kind: 'address', default: '127.0.0.1:7233', doc: 'Temporal frontend gRPC address' },
  { path: 'temporal.namespace', env: 'DICOM_INTAKE_TEMPORAL_NAMESPACE', kind: 'string', default: 'default', doc: 'Temporal namespace' },
  { path: 'temporal.taskQueue', env: 'DICOM_INTAKE_TASK_QUEUE', kind: 'string', default: 'dicom-intake', doc: 'task queue the worker polls' },
  { path: 'temporal.uiPort', env: 'DICOM_INTAKE_TEMPORAL_UI_PORT', kind: 'port', default: 8233, doc: 'Temporal Web UI port of the embedded dev server' },
  { path: 'temporal.dbFile', env: 'DICOM_INTAKE_TEMPORAL_DB_FILE', kind: 'path', default: '.data/temporal.sqlite', doc: 'dev server persistence file' },
  { path: 'http.host', env: 'DICOM_INTAKE_HTTP_HOST', kind: 'string', default: '127.0.0.1', doc: 'bind address of the HTTP API (loopback by default)' },
  { path: 'http.port', env: 'DICOM_INTAKE_HTTP_PORT', kind: 'port', default: 8080, doc: 'HTTP API port' },
  { path: 'http.codecToken', env: 'DICOM_INTAKE_CODEC_TOKEN', kind: 'text', default: '', doc: 'bearer token the codec endpoint requires (empty: none, allowed only on a loopback http.host)' },
  { path: 'http.corsOrigins', env: 'DICOM_INTAKE_CORS_ORIGINS', kind: 'text', default: '', doc: 'comma-separated origins allowed to call the codec endpoint (empty: the embedded Web UI on temporal.uiPort)' },
  { path: 'web.sessionMaxAgeSeconds', env: 'DICOM_INTAKE_WEB_SESSION_MAX_AGE_SECONDS', kind: 'int', default: 12 * 3600, doc: 'a page sign-in ends this long after it began, used or not' },
  { path: 'web.sessionIdleSeconds', env: 'DICOM_INTAKE_WEB_SESSION_IDLE_SECONDS', kind: 'int', default: 30 * 60, doc: 'a page sign-in ends when unused for this long' },
  { path: 'web.secureCookie', env: 'DICOM_INTAKE_WEB_SECURE_COOKIE', kind: 'bool', default: false, doc: 'always mark the session cookie Secure (it is anyway when the request came over https or with X-Forwarded-Proto: https)' },
  { path: 'codec.oidcIssuer', env: 'DICOM_INTAKE_CODEC_OIDC_ISSUER', kind: 'text', default: '', doc: 'issuer (iss) of OIDC access tokens the Web UI passes to the codec endpoint (empty: such tokens are refused)' },
  { path: 'codec.oidcAudience', env: 'DICOM_INTAKE_CODEC_OIDC_AUDIENCE', kind: 'text', default: '', doc: 'audience (aud) those access tokens must name' },
  { path: 'codec.oidcJwks', env: 'DICOM_INTAKE_CODEC_OIDC_JWKS', kind: 'text', default: '', doc: "the issuer's signing keys: a JWKS file path or an https:// URL" },
  { path: 'codec.oidcUserClaim', env: 'DICOM_INTAKE_CODEC_OIDC_USER_CLAIM', kind: 'string', default: 'preferred_username', doc: 'claim of the access token holding the dicom-intake login of its user' },
  { path: 'codec.keys', env: 'DICOM_INTAKE_CODEC_KEYS', kind: 'text', default: '', doc: 'payload keys as ID=BASE64(32 bytes),…; the first encodes, all decode (empty: use codec.keyringFile)' },
  { path: 'codec.keyringFile', env: 'DICOM_INTAKE_CODEC_KEYRING_FILE', kind: 'text', default: '', doc: 'keyring JSON file, created by `dicom-intake start` when missing (empty: DATA_DIR/codec-keyring.json)' },
  { path: 'staging.keys', env: 'DICOM_INTAKE_STAGING_KEYS', kind: 'text', default: '', doc: 'keys that encrypt raw received bytes at rest (staging before the site pass, quarantine) as ID=BASE64(32 bytes),…; the first encrypts, all decrypt (empty: raw bytes are stored in plaintext)' },
  { path: 'log.level', env: 'DICOM_INTAKE_LOG_LEVEL', kind: 'logLevel', default: 'info', doc: 'lowest level written to the JSON log: trace, debug, info, warn, error or silent (`start` writes warn and above to the console unless this environment variable is set)' },
  { path: 'log.file', env: 'DICOM_INTAKE_LOG_FILE', kind: 'text', default: '', doc: 'JSON log file written by `start` at log.level, beside the console (empty: none)' },
  { path: 'dicom.aeTitle', env: 'DICOM_INTAKE_AE_TITLE', kind: 'string', default: 'DICOMINTAKE', doc: 'AE title of the default C-STORE receiver' },
  { path: 'dicom.port', env: 'DICOM_INTAKE_DICOM_PORT', kind: 'port', default: 11112, doc: 'port of the default C-STORE receiver' },
  { path: 'dicom.host', env: 'DICOM_INTAKE_DICOM_HOST', kind: 'string', default: '127.0.0.1', doc: 'bind address of the default C-STORE receiver (loopback by default)' },
  { path: 'dicom.sessionIdleSeconds', env: 'DICOM_INTAKE_SESSION_IDLE_SECONDS', kind: 'int', default: 300, doc: "XNAT's session idle time: a received study closes this long after its last file" },
  { path: 'dicom.routing.project', env: 'DICOM_INTAKE_PROJECT_RULES', kind: 'string', default: '-', doc: 'site routing rules for the project, one per line, (gggg,eeee):regex[:group][ t:x r:y]; - for none' },
  { path: 'dicom.routing.subject', env: 'DICOM_INTAKE_SUBJECT_RULES', kind: 'string', default: '-', doc: 'site routing rules for the subject label; - for none' },
  { path: 'dicom.routing.session', env: 'DICOM_INTAKE_SESSION_RULES', kind: 'string', default: '-', doc: 'site routing rules for the session label; - for none' },
  { path: 'anonymization.siteEnabled', env: 'DICOM_INTAKE_SITE_ANON_ENABLED', kind: 'bool', default: true, doc: 'run the site-wide script on every upload' },
  { path: 'anonymization.rerunProjectAnonOnRename', env: 'DICOM_INTAKE_RERUN_PROJECT_ANON_ON_RENAME', kind: 'bool', default: true, doc: 're-run the project script with the new labels on subject/session relabel, move and reassign (XNAT rerunProjectAnonOnRename)' },
  { path: 'edits.versionRetentionSeconds', env: 'DICOM_INTAKE_VERSION_RETENTION_SECONDS', kind: 'int', default: 30 * 24 * 3600, doc: 'how long file versions superseded by a metadata edit are kept before they are purged (audited)' },
  { path: 'limits.uploadMaxBytes', env: 'DICOM_INTAKE_UPLOAD_MAX_BYTES', kind: 'int', default: 4 * 1024 ** 3, doc: 'largest request body accepted' },
  { path: 'limits.archiveMaxMembers', env: 'DICOM_INTAKE_ARCHIVE_MAX_MEMBERS', kind: 'int', default: 100_000, doc: 'most members in one zip/tar' },
  { path: 'limits.archiveMaxExpandedBytes', env: 'DICOM_INTAKE_ARCHIVE_MAX_EXPANDED_BYTES', kind: 'int', default: 64 * 1024 ** 3, doc: 'most expanded bytes in one zip/tar' },
  { path: 'limits.archiveMaxRatio', env: 'DICOM_INTAKE_ARCHIVE_MAX_RATIO', kind: 'int', default: 200, doc: 'highest expanded/compressed ratio of one member' },
  { path: 'limits.httpHeadersTimeoutSeconds', env: 'DICOM_INTAKE_HTTP_HEADERS_TIMEOUT_SECONDS', kind: 'int', default: 30, doc: 'time a client has to send all request headers before its connection is cut (slow clients, slowloris)' },
  { path: 'limits.httpRequestTimeoutSeconds', env: 'DICOM_INTAKE_HTTP_REQUEST_TIMEOUT_SECONDS', kind: 'int', default: 3600, doc: 'time a client has to send a whole request, body included, before its connection is cut' },
  { path: 'limits.maxConcurrentUploads', env: 'DICOM_INTAKE_MAX_CONCURRENT_UPLOADS', kind: 'int', default: 8, doc: 'uploads received at once; one more is answered 503 with Retry-After' },
  { path: 'limits.dicomMaxAssociations', env: 'DICOM_INTAKE_DICOM_MAX_ASSOCIATIONS', kind: 'int', default: 32, doc: 'open connections per C-STORE receiver; one more association is rejected (A-ASSOCIATE-RJ, transient, local limit exceeded)' },
  { path: 'limits.dicomIdleTimeoutSeconds', env: 'DICOM_INTAKE_DICOM_IDLE_TIMEOUT_SECONDS', kind: 'int', default: 60, doc: 'a C-STORE connection that sends no complete PDU (or no association request) for this long is aborted' },
] as const satisfies readonly ConfigKey[];
