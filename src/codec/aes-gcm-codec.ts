import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
import type { Keyring } from './keyring';

/** Metadata `encoding` of every payload this codec wrote. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Metadata key naming the key that encrypted a payload (rotation: old ids still decode). */
export const KEY_ID_METADATA = 'encryption-key-id';
/** Metadata key naming the cipher, so that a later change of cipher can be recognised. */
export const CIPHER_METADATA = 'encryption-cipher';
const CIPHER = 'AES-256-GCM';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);

/**
 * Serialises a whole payload (its metadata too, so the original encoding is hidden) as JSON with base64 fields.
 * JSON rather than the Payload proto keeps @temporalio/proto out of the runtime dependencies.
 */
function serialise(p: Payload): Buffer {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) if (v) metadata[k] = Buffer.from(v).toString('base64');
  return Buffer.from(JSON.stringify({ metadata, data: p.data ? Buffer.from(p.data).toString('base64') : '' }));
}

function deserialise(b: Buffer): Payload {
  const o = JSON.parse(b.toString('utf8')) as { metadata: Record<string, string>; data: string };
  const metadata: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(o.metadata)) metadata[k] = new Uint8Array(Buffer.from(v, 'base64'));
  return { metadata, data: new Uint8Array(Buffer.from(o.data, 'base64')) };
}

/**
 * AES-256-GCM payload codec with key ids. Runs outside the workflow sandbox (client, worker main thread, codec
 * endpoint), so Node's crypto is fine here. The key id is the additional authenticated data, so a payload cannot
 * be relabelled to another key.
 */
export class AesGcmCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;
  private readonly encodeWith: { id: string; key: Buffer };

  constructor(keyring: Keyring) {
    if (keyring.keys.length === 0) throw new ValueError('AesGcmCodec needs at least one key');
    this.byId = new Map(keyring.keys.map((k) => [k.id, k.key]));
    this.encodeWith = keyring.keys[0];
  }

  /** Id of the key new payloads are encrypted with. */
  get activeKeyId(): string {
    return this.encodeWith.id;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', this.encodeWith.key, iv);
      cipher.setAAD(Buffer.from(this.encodeWith.id));
      const body = Buffer.concat([cipher.update(serialise(p)), cipher.final()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: utf8(ENCRYPTED_ENCODING),
          [KEY_ID_METADATA]: utf8(this.encodeWith.id),
          [CIPHER_METADATA]: utf8(CIPHER),
        },
        data: new Uint8Array(Buffer.concat([iv, body, cipher.getAuthTag()])),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      // Payloads written before encryption was switched on (or by another codec) pass through unchanged.
      if (text(p.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return p;
      const keyId = text(p.metadata?.[KEY_ID_METADATA]) ?? '';
      const key = this.byId.get(keyId);
      if (!key) throw new ValueError(`payload encrypted with unknown key id ${JSON.stringify(keyId)}; add that key to the keyring (codec.keys or codec.keyringFile)`);
      const data = Buffer.from(p.data ?? new Uint8Array());
      if (data.length < IV_BYTES + TAG_BYTES) throw new ValueError('encrypted payload is truncated');
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(keyId));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      try {
        return deserialise(Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]));
      } catch {
        throw new ValueError(`payload encrypted with key ${keyId} does not authenticate (wrong key material or tampered data)`);
      }
    });
  }
}
