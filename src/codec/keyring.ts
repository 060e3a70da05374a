import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** One AES-256 key and the id written beside every payload it encrypted. */
export interface CodecKey {
  id: string;
  key: Buffer;
}

/** The keys of one deployment: the first encodes, every one decodes (old ids stay readable after a rotation). */
export interface Keyring {
  keys: CodecKey[];
}

/** Where the codec keys come from: a list given in config/env, else the keyring file. */
export interface CodecConfig {
  keys?: CodecKey[];
  keyringFile: string;
}

/** Keys that cannot be used; the message names the source, never the key material. */
export class KeyringError extends Error {
  override readonly name = 'KeyringError';
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Whether `id` has the shape of a key id (1-64 letters, digits, '.', '_' or '-'). */
export const isKeyId = (id: string): boolean => KEY_ID.test(id);

function checkKey(id: string, base64: string, source: string): CodecKey {
  // The id is not echoed: a pasted key without its id would otherwise land in an error message (and a log).
  if (!KEY_ID.test(id)) throw new KeyringError(`${source}: a key id is invalid; use ID=BASE64KEY with an id of 1-64 letters, digits, '.', '_' or '-'`);
  const key = Buffer.from(base64, 'base64');
  if (key.length !== 32 || key.toString('base64') !== base64.replace(/\s/g, '')) {
    throw new KeyringError(`${source}: key ${id} is not 32 bytes of base64 (AES-256); create one with \`openssl rand -base64 32\``);
  }
  return { id, key };
}

/** Parses `ID=BASE64,ID=BASE64…` (the DICOM_INTAKE_CODEC_KEYS format); the first key encodes. */
export function parseKeyList(text: string, source: string): CodecKey[] {
  const keys = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item) => {
      const eq = item.indexOf('=');
      // A bare base64 key also contains '=' (its padding, at the end): nothing after the first '=' or no valid id
      // before it means the id is missing, and the item is not echoed since it may be key material.
      if (eq <= 0 || eq === item.length - 1 || !KEY_ID.test(item.slice(0, eq))) throw new KeyringError(`${source}: expected ID=BASE64KEY items separated by commas`);
      return checkKey(item.slice(0, eq), item.slice(eq + 1), source);
    });
  if (new Set(keys.map((k) => k.id)).size !== keys.length) throw new KeyringError(`${source}: a key id is listed twice`);
  return keys;
}

/** Formats keys as `ID=BASE64,…` (tests and operators hand them to another process through the environment). */
export function formatKeyList(keys: CodecKey[]): string {
  return keys.map((k) => `${k.id}=${k.key.toString('base64')}`).join(',');
}

/** A new random key with a dated, unique id. */
export function newCodecKey(now = new Date()): CodecKey {
  return { id: `k${now.toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(3).toString('hex')}`, key: randomBytes(32) };
}

interface KeyringFile {
  version: 1;
  /** Newest first: the first key encodes. */
  keys: { id: string; key: string; created: string }[];
}

function readKeyringFile(file: string): { keys: (CodecKey & { created?: string })[] } {
  let doc: KeyringFile;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8')) as KeyringFile;
  } catch (err) {
    throw new KeyringError(`the codec keyring ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'invalid JSON'})`);
  }
  if (doc?.version !== 1 || !Array.isArray(doc.keys) || doc.keys.length === 0) throw new KeyringError(`the codec keyring ${file} has no keys (expected {"version":1,"keys":[…]})`);
  return { keys: doc.keys.map((k) => ({ ...checkKey(String(k.id), String(k.key), file), created: k.created })) };
}

function writeKeyringFile(file: string, keys: (CodecKey & { created?: string })[]): void {
  mkdirSync(dirname(file), { recursive: true });
  const doc: KeyringFile = { version: 1, keys: keys.map((k) => ({ id: k.id, key: k.key.toString('base64'), created: k.created ?? new Date().toISOString() })) };
  // Written aside then renamed, so a crash never leaves a half keyring (which would make history unreadable).
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(doc, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** The keys in effect: the configured list, else the keyring file (an error that says what to do when neither exists). */
export function loadKeyring(config: CodecConfig): Keyring {
  if (config.keys?.length) return { keys: config.keys };
  if (!existsSync(config.keyringFile)) {
    throw new KeyringError(`no payload codec keys: ${config.keyringFile} does not exist and DICOM_INTAKE_CODEC_KEYS is empty; run \`dicom-intake start\` once (it creates the keyring) or set the keys`);
  }
  return { keys: readKeyringFile(config.keyringFile).keys.map(({ id, key }) => ({ id, key })) };
}

/** Creates the keyring file with one new key unless keys are configured or the file exists (first start). */
export function ensureKeyring(config: CodecConfig): { created: boolean } {
  if (config.keys?.length || existsSync(config.keyringFile)) return { created: false };
  writeKeyringFile(config.keyringFile, [newCodecKey()]);
  return { created: true };
}

/** Rotation: a new key goes first (it encodes from now on); the old keys stay so that old payloads still decode. */
export function rotateKeyring(file: string): CodecKey {
  const current = existsSync(file) ? readKeyringFile(file).keys : [];
  const fresh = newCodecKey();
  writeKeyringFile(file, [fresh, ...current]);
  return fresh;
}
