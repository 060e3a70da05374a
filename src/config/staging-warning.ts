import { isLoopback, type Config } from './load-config';

/**
 * The warning printed at start when raw received bytes will be stored unencrypted outside the loopback dev stack:
 * no staging key, and the API, a receiver or Temporal listens on or talks to another host, or the database is
 * PostgreSQL (a shared deployment). Undefined when a key is set or everything is on this machine's loopback.
 */
export function stagingKeyWarning(config: Config): string | undefined {
  if (config.staging.keys.length) return undefined;
  const exposed = [
    !isLoopback(config.http.host) && `http.host ${config.http.host}`,
    ...config.receivers.filter((r) => r.enabled && !isLoopback(r.host)).map((r) => `receiver ${r.id} on ${r.host}`),
    !isLoopback(config.temporal.address.split(':')[0]!) && `temporal.address ${config.temporal.address}`,
    config.database.client === 'pg' && 'a PostgreSQL database',
  ].filter((x): x is string => typeof x === 'string');
  if (!exposed.length) return undefined;
  return (
    `raw received DICOM bytes (staging before the site pass, and quarantine) are stored UNENCRYPTED in ${config.dataDir} ` +
    `(this is not a loopback-only dev stack: ${exposed.join(', ')}). Set DICOM_INTAKE_STAGING_KEYS=ID=BASE64KEY ` +
    '(create a key with `openssl rand -base64 32`) to encrypt them at rest; see docs/operations.md.'
  );
}
