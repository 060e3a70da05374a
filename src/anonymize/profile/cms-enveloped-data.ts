/**
 * CMS EnvelopedData (RFC 5652) in DER, written with node:crypto, for the Encrypted Attributes Sequence (PS3.15
 * E.1.1 item 4): AES-256-CBC content encryption (RFC 3565) and one recipient, either
 * - RSA key transport to an X.509 certificate (KeyTransRecipientInfo, issuer and serial number, PKCS #1 v1.5 as
 *   RFC 3370 specifies), the standard's mechanism; or
 * - a pre-shared key-encryption key (KEKRecipientInfo, AES key wrap, RFC 3394), for sites that keep one secret.
 * `openssl cms -decrypt -inform DER` reads both (-recip/-inkey, or -secretkey/-secretkeyid).
 *
 * The content key and IV are derived from a caller-given seed (HMAC-SHA-256), not drawn at random, so that the same
 * input gives the same output bytes (DESIGN invariant 6); the seed must be secret and depend on the plaintext.
 * Under RSA, PKCS #1 v1.5 padding is random, so only the KEK form is byte-reproducible.
 */
import { constants, createCipheriv, createHmac, publicEncrypt, X509Certificate } from 'node:crypto';
import { ProfileError } from './profile-errors';

/** Who can decrypt: the holder of a certificate's private key, or of a shared key-encryption key. */
export type CmsRecipient =
  | { readonly kind: 'certificate'; readonly certificatePem: string }
  | { readonly kind: 'kek'; readonly keyId: Buffer; readonly key: Buffer };

const OID = {
  data: '1.2.840.113549.1.7.1',
  envelopedData: '1.2.840.113549.1.7.3',
  rsaEncryption: '1.2.840.113549.1.1.1',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  aesWrap: { 16: '2.16.840.1.101.3.4.1.5', 24: '2.16.840.1.101.3.4.1.25', 32: '2.16.840.1.101.3.4.1.45' } as Record<number, string>,
};

// --- DER writing (definite lengths only) ---

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  let len: Buffer;
  if (n < 0x80) len = Buffer.from([n]);
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
    len = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), len, content]);
}
const seq = (...parts: Buffer[]): Buffer => tlv(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]): Buffer => tlv(0x31, Buffer.concat(parts));
const octets = (b: Buffer): Buffer => tlv(0x04, b);
const int = (n: number): Buffer => tlv(0x02, Buffer.from([n]));
const NULL = Buffer.from([0x05, 0x00]);

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
  const out = [40 * a + b];
  for (const v of rest) {
    const chunk: number[] = [v & 0x7f];
    for (let x = Math.floor(v / 128); x > 0; x = Math.floor(x / 128)) chunk.unshift(0x80 | (x & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}
const algorithm = (dotted: string, params?: Buffer): Buffer => seq(oid(dotted), ...(params ? [params] : []));

// --- DER reading, just enough to take issuer and serial number out of a certificate ---

function readTlv(buf: Buffer, at: number): { tag: number; start: number; contentStart: number; end: number } {
  const tag = buf[at]!;
  let len = buf[at + 1]!;
  let contentStart = at + 2;
  if (len & 0x80) {
    const count = len & 0x7f;
    len = 0;
    for (let k = 0; k < count; k++) len = len * 256 + buf[at + 2 + k]!;
    contentStart += count;
  }
  return { tag, start: at, contentStart, end: contentStart + len };
}

/** IssuerAndSerialNumber of a certificate: its TBSCertificate's issuer Name and serialNumber, as DER. */
function issuerAndSerial(certDer: Buffer): Buffer {
  const cert = readTlv(certDer, 0);
  const tbs = readTlv(certDer, cert.contentStart);
  let at = tbs.contentStart;
  let field = readTlv(certDer, at);
  if (field.tag === 0xa0) field = readTlv(certDer, (at = field.end)); // [0] version
  const serial = certDer.subarray(field.start, field.end);
  const signature = readTlv(certDer, field.end);
  const issuer = readTlv(certDer, signature.end);
  return seq(certDer.subarray(issuer.start, issuer.end), serial);
}

/** Parses a recipient given as "kek:KEYID_HEX:KEY_HEX" or a PEM certificate; throws BAD_RECIPIENT_KEY. */
export function parseRecipient(text: string): CmsRecipient {
  const trimmed = text.trim();
  const kek = /^kek:([0-9a-fA-F]{2,}):([0-9a-fA-F]+)$/.exec(trimmed);
  if (kek !== null) {
    const key = Buffer.from(kek[2]!, 'hex');
    if (OID.aesWrap[key.length] === undefined) throw new ProfileError('BAD_RECIPIENT_KEY', 'the key-encryption key must be 16, 24 or 32 bytes (32, 48 or 64 hex digits)');
    return { kind: 'kek', keyId: Buffer.from(kek[1]!, 'hex'), key };
  }
  if (trimmed.includes('-----BEGIN CERTIFICATE-----')) {
    try {
      const cert = new X509Certificate(trimmed);
      if (cert.publicKey.asymmetricKeyType !== 'rsa') throw new Error('not an RSA key');
    } catch (e) {
      throw new ProfileError('BAD_RECIPIENT_KEY', `the recipient certificate cannot be used (${(e as Error).message}); give an RSA certificate in PEM`);
    }
    return { kind: 'certificate', certificatePem: trimmed };
  }
  throw new ProfileError('BAD_RECIPIENT_KEY', 'the recipient key must be an RSA certificate (PEM) or a line "kek:KEYID_HEX:KEY_HEX"');
}

function recipientInfo(recipient: CmsRecipient, cek: Buffer): Buffer {
  if (recipient.kind === 'kek') {
    const wrap = createCipheriv(`id-aes${recipient.key.length * 8}-wrap`, recipient.key, Buffer.from('A6A6A6A6A6A6A6A6', 'hex'));
    const wrapped = Buffer.concat([wrap.update(cek), wrap.final()]);
    // [2] IMPLICIT KEKRecipientInfo { version 4, kekid { keyIdentifier }, keyEncryptionAlgorithm, encryptedKey }
    return tlv(0xa2, Buffer.concat([int(4), seq(octets(recipient.keyId)), algorithm(OID.aesWrap[recipient.key.length]!), octets(wrapped)]));
  }
  const cert = new X509Certificate(recipient.certificatePem);
  const encryptedKey = publicEncrypt({ key: cert.publicKey, padding: constants.RSA_PKCS1_PADDING }, cek);
  // KeyTransRecipientInfo { version 0, rid issuerAndSerialNumber, keyEncryptionAlgorithm rsaEncryption, encryptedKey }
  return seq(int(0), issuerAndSerial(cert.raw), algorithm(OID.rsaEncryption, NULL), octets(encryptedKey));
}

/** Encrypts `plaintext` for `recipient` as a DER ContentInfo holding EnvelopedData. */
export function envelope(plaintext: Buffer, recipient: CmsRecipient, seed: Buffer): Buffer {
  const cek = createHmac('sha256', seed).update('cms content-encryption key').digest();
  const iv = createHmac('sha256', seed).update('cms iv').digest().subarray(0, 16);
  const cipher = createCipheriv('aes-256-cbc', cek, iv);
  const encrypted = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const encryptedContentInfo = seq(oid(OID.data), algorithm(OID.aes256Cbc, octets(iv)), tlv(0x80, encrypted));
  // RFC 5652 6.1: version 2 when a recipient is not version 0 (kekri is 4), else 0.
  const version = recipient.kind === 'kek' ? 2 : 0;
  const enveloped = seq(int(version), set(recipientInfo(recipient, cek)), encryptedContentInfo);
  return seq(oid(OID.envelopedData), tlv(0xa0, enveloped));
}
