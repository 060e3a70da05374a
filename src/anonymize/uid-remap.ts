/**
 * Keyed, deterministic UID replacement for the PS3.15 profile (action U): the same project secret and source UID
 * give the same new UID in every file, every run, at every depth, so references stay consistent across a batch
 * without a mapping table. Without the secret the mapping cannot be recomputed from a public UID.
 */
import { createHmac } from 'node:crypto';

/** A project secret for keyed hashes: a non-empty string (UTF-8) or bytes. */
export type ProjectSecret = string | Uint8Array;

/** HMAC-SHA256 of `message` under `secret`; refuses an empty secret, which would make the mapping public. */
export function keyedDigest(secret: ProjectSecret, message: string): Buffer {
  if (secret.length === 0) {
    throw new Error('The de-identification secret is empty; configure a project secret so that UIDs and date shifts cannot be recomputed by others.');
  }
  return createHmac('sha256', secret).update(message, 'utf8').digest();
}

/**
 * The replacement of `uid`: "2.25." and the decimal value of the first 128 bits of HMAC-SHA256(secret, uid),
 * with the version (8, "custom") and variant bits of RFC 9562 set so that the number is a well-formed UUID as
 * ISO/IEC 9834-8 (the 2.25 arc) expects; 122 keyed bits remain. At most 44 characters, so always a valid UI
 * (≤ 64). DICOM padding and surrounding spaces of `uid` are ignored.
 */
export function remapUid(uid: string, secret: ProjectSecret): string {
  if (typeof secret !== 'string') return computeRemap(uid, secret);
  if (secret !== cachedSecret) {
    remapped.clear();
    cachedSecret = secret;
  }
  let result = remapped.get(uid);
  if (result === undefined) {
    result = computeRemap(uid, secret);
    if (remapped.size >= MAX_CACHED_UIDS) remapped.clear();
    remapped.set(uid, result);
  }
  return result;
}

// UIDs remapped under the last string secret used. A batch remaps the same Study, Series and Frame of Reference
// UIDs in file after file, and the mapping is a pure function of secret and UID, so the cache is exact; it saves an
// HMAC per repeated UID. Bounded, and emptied when another secret is used.
const MAX_CACHED_UIDS = 50_000;
const remapped = new Map<string, string>();
let cachedSecret: string | undefined;

function computeRemap(uid: string, secret: ProjectSecret): string {
  const source = uid.replace(/[\0 ]+$/, '').trim();
  const b = keyedDigest(secret, source).subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x80; // UUID version 8
  b[8] = (b[8]! & 0x3f) | 0x80; // RFC variant 10xx
  return `2.25.${BigInt(`0x${b.toString('hex')}`).toString(10)}`;
}

/** Remaps every backslash-separated UID of a multi-valued UI value; empty values stay empty. */
export function remapUidList(value: string, secret: ProjectSecret): string {
  return value
    .split('\\')
    .map((one) => (one.trim() === '' ? one : remapUid(one, secret)))
    .join('\\');
}
