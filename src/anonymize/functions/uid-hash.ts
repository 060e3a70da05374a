/**
 * UID generation of §1.6. hashUID is DicomEdit's one-way UID: "2.25." followed by the decimal value of a
 * name-based (version 5 style) UUID built from SHA-1 of the UID's bytes with no namespace.
 */
import { createHash, randomBytes } from 'node:crypto';

function uuidBytesToUid(bytes: Buffer): string {
  const b = Buffer.from(bytes.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x50; // version 5: name-based with SHA-1
  b[8] = (b[8]! & 0x3f) | 0x80; // IETF variant 10xx
  return `2.25.${BigInt(`0x${b.toString('hex')}`).toString(10)}`;
}

/** The hashed UID of `uid`, e.g. 1.2.3.4.5 gives 2.25.281097975800109040096884226991818420711. */
export function hashUid(uid: string): string {
  // Java's String.getBytes() uses the platform charset; UIDs are ASCII, so UTF-8 gives the same bytes.
  return uuidBytesToUid(createHash('sha1').update(uid, 'utf8').digest());
}

/** A fresh random UID under 2.25 (a random version 4 UUID as a decimal integer). */
export function newUid(): string {
  const b = randomBytes(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  return `2.25.${BigInt(`0x${b.toString('hex')}`).toString(10)}`;
}
