import { DESTINATIONS, type Destination } from '../domain/upload-status';

/** One C-STORE receiver (XNAT's "DICOM SCP receiver", reference §5.2). */
export interface ReceiverConfig {
  /** Stable opaque id: part of every study key and of received file rows; default `<aeTitle>-<port>`, lower-case. */
  id: string;
  /** XNAT's on/off switch: a disabled receiver is configured but not started. */
  enabled: boolean;
  aeTitle: string;
  /** Bind address; loopback unless set. */
  host: string;
  port: number;
  destination: Destination;
  /** When false, neither the site nor the project script runs on what this receiver takes in (XNAT 1.8.5+). */
  anonymizationEnabled: boolean;
  /** Calling AE titles allowed to associate; empty means nobody (the receiver refuses every association). */
  allowedCallingAeTitles: string[];
  /** Transfer syntaxes accepted, in order of preference. */
  transferSyntaxes: string[];
  /** XNAT's "session idle time": a study is closed this long after its last file. */
  sessionIdleSeconds: number;
  /** Per-receiver routing rules (§3.3 syntax), tried before the site rules. */
  routing: { project: string[]; subject: string[]; session: string[] };
}

/**
 * Accepted by default: the dataset encodings the byte editor handles (implicit and explicit VR little endian, and
 * the encapsulated ones, whose datasets are explicit LE). Big endian and deflate are refused here rather than
 * stored and failed later by the site pass.
 */
export const DEFAULT_TRANSFER_SYNTAXES = [
  '1.2.840.10008.1.2.1', // Explicit VR Little Endian
  '1.2.840.10008.1.2', // Implicit VR Little Endian
  '1.2.840.10008.1.2.4.50', // JPEG Baseline
  '1.2.840.10008.1.2.4.51', // JPEG Extended
  '1.2.840.10008.1.2.4.57', // JPEG Lossless
  '1.2.840.10008.1.2.4.70', // JPEG Lossless SV1
  '1.2.840.10008.1.2.4.80', // JPEG-LS Lossless
  '1.2.840.10008.1.2.4.81', // JPEG-LS Near-Lossless
  '1.2.840.10008.1.2.4.90', // JPEG 2000 Lossless
  '1.2.840.10008.1.2.4.91', // JPEG 2000
  '1.2.840.10008.1.2.5', // RLE Lossless
] as const;

/** The site-level defaults a receiver entry falls back to. */
export interface ReceiverDefaults {
  aeTitle: string;
  port: number;
  host: string;
  sessionIdleSeconds: number;
}

type Fail = (message: string) => Error;

/**
 * Reads the `receivers:` list of temporal-dev.yaml. Without one, the single receiver of the `dicom:` keys is used,
 * so older files keep working. AE title and port must be unique together, as in XNAT.
 */
export function readReceivers(raw: unknown, defaults: ReceiverDefaults, fail: Fail): ReceiverConfig[] {
  if (raw === undefined || raw === null) return [toReceiver({}, defaults, 'dicom', fail)];
  if (!Array.isArray(raw)) throw fail('key receivers must be a list of receivers');
  const out = raw.map((r, i) => {
    if (typeof r !== 'object' || r === null) throw fail(`receivers[${i}] must be a map`);
    return toReceiver(r as Record<string, unknown>, defaults, `receivers[${i}]`, fail);
  });
  const seen = new Set<string>();
  for (const r of out) {
    for (const key of [`${r.aeTitle}:${r.port}`, `id ${r.id}`, `port ${r.port}`]) {
      if (seen.has(key)) throw fail(`two receivers share ${key}; AE title/port pairs, ports and ids must be unique`);
      seen.add(key);
    }
  }
  return out;
}

/** AE title rules (PS3.5 AE VR): 1-16 characters of the default repertoire, no backslash, not only spaces. */
export function isAeTitle(v: string): boolean {
  return /^[\x20-\x5b\x5d-\x7e]{1,16}$/.test(v) && !!v.trim();
}

/** Reads one receiver entry (temporal-dev.yaml or the API), with `defaults` for the keys it leaves out. */
export function toReceiver(r: Record<string, unknown>, d: ReceiverDefaults, where: string, fail: Fail): ReceiverConfig {
  const str = (k: string, dflt: string) => {
    const v = r[k] ?? dflt;
    if (typeof v !== 'string' && typeof v !== 'number') throw fail(`${where}.${k} must be a string`);
    return String(v).trim();
  };
  const list = (k: string, dflt: readonly string[]) => {
    const v = r[k] ?? dflt;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw fail(`${where}.${k} must be a list of strings`);
    return (v as string[]).map((x) => x.trim());
  };
  const aeTitle = str('aeTitle', d.aeTitle);
  if (!isAeTitle(aeTitle)) throw fail(`${where}.aeTitle ${JSON.stringify(aeTitle)} is not an AE title (1-16 printable characters, no backslash)`);
  const port = Number(r.port ?? d.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw fail(`${where}.port must be a port number 0-65535`);
  const destination = str('destination', 'archive') as Destination;
  if (!DESTINATIONS.includes(destination)) throw fail(`${where}.destination must be one of ${DESTINATIONS.join(', ')}`);
  const idle = Number(r.sessionIdleSeconds ?? d.sessionIdleSeconds);
  if (!Number.isFinite(idle) || idle <= 0) throw fail(`${where}.sessionIdleSeconds must be a positive number of seconds`);
  const enabled = r.enabled ?? true;
  if (typeof enabled !== 'boolean') throw fail(`${where}.enabled must be true or false`);
  const anon = r.anonymizationEnabled ?? true;
  if (typeof anon !== 'boolean') throw fail(`${where}.anonymizationEnabled must be true or false`);
  const transferSyntaxes = list('transferSyntaxes', DEFAULT_TRANSFER_SYNTAXES);
  if (!transferSyntaxes.length || transferSyntaxes.some((t) => !/^[0-9.]+$/.test(t))) throw fail(`${where}.transferSyntaxes must be a non-empty list of UIDs`);
  const allowedCallingAeTitles = list('allowedCallingAeTitles', []);
  const badCaller = allowedCallingAeTitles.find((a) => !isAeTitle(a));
  if (badCaller !== undefined) throw fail(`${where}.allowedCallingAeTitles: ${JSON.stringify(badCaller)} is not an AE title (1-16 printable characters, no backslash)`);
  const routing = (r.routing ?? {}) as Record<string, unknown>;
  if (typeof routing !== 'object' || Array.isArray(routing)) throw fail(`${where}.routing must be a map with project, subject and session lists`);
  const rules = (k: string) => {
    const v = routing[k] ?? [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw fail(`${where}.routing.${k} must be a list of rules`);
    return v as string[];
  };
  const id = str('id', `${aeTitle}-${port}`.toLowerCase().replace(/[^a-z0-9_-]/g, '_'));
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw fail(`${where}.id must be 1-64 letters, digits, '_' or '-'`);
  return {
    id,
    enabled,
    aeTitle,
    host: str('host', d.host),
    port,
    destination,
    anonymizationEnabled: anon,
    allowedCallingAeTitles,
    transferSyntaxes,
    sessionIdleSeconds: idle,
    routing: { project: rules('project'), subject: rules('subject'), session: rules('session') },
  };
}
