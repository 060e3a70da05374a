import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { AesGcmCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../src/codec/aes-gcm-codec';
import { ensureKeyring, loadKeyring, newCodecKey, parseKeyList, rotateKeyring, KeyringError } from '../../src/codec/keyring';

const text = (b?: Uint8Array | null) => Buffer.from(b ?? new Uint8Array()).toString('utf8');
const plain = (v: unknown) => defaultPayloadConverter.toPayload(v) as Payload;

describe('AES-GCM payload codec and keyring', () => {
  it('When a payload is encoded, then data and original metadata are hidden, and decoding gives it back', async () => {
    const codec = new AesGcmCodec({ keys: [newCodecKey()] });
    const [enc] = await codec.encode([plain({ uploadId: 'up_1', note: 'visible?' })]);
    expect(text(enc.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(enc.metadata![KEY_ID_METADATA])).toBe(codec.activeKeyId);
    expect(text(enc.data)).not.toContain('visible?');
    expect(JSON.stringify(enc.metadata)).not.toContain(JSON.stringify([...Buffer.from('json/plain')]).slice(1, -1));
    const [dec] = await codec.decode([enc]);
    expect(defaultPayloadConverter.fromPayload(dec)).toEqual({ uploadId: 'up_1', note: 'visible?' });
  });

  it('When the same value is encoded twice, then the ciphertexts differ (fresh IV)', async () => {
    const codec = new AesGcmCodec({ keys: [newCodecKey()] });
    const [a, b] = await codec.encode([plain('same'), plain('same')]);
    expect(Buffer.from(a.data!).equals(Buffer.from(b.data!))).toBe(false);
  });

  it('When keys rotate, then new payloads use the new id and old ones still decode; a codec without the old key refuses by id', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyring-'));
    const file = join(dir, 'codec-keyring.json');
    expect(ensureKeyring({ keyringFile: file }).created).toBe(true);
    expect(ensureKeyring({ keyringFile: file }).created).toBe(false);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const before = new AesGcmCodec(loadKeyring({ keyringFile: file }));
    const [old] = await before.encode([plain('written before rotation')]);

    const fresh = rotateKeyring(file);
    const after = new AesGcmCodec(loadKeyring({ keyringFile: file }));
    expect(after.activeKeyId).toBe(fresh.id);
    expect(after.activeKeyId).not.toBe(before.activeKeyId);
    const [neu] = await after.encode([plain('written after')]);
    expect(text(neu.metadata![KEY_ID_METADATA])).toBe(fresh.id);
    expect(defaultPayloadConverter.fromPayload((await after.decode([old]))[0])).toBe('written before rotation');
    expect(JSON.parse(readFileSync(file, 'utf8')).keys).toHaveLength(2);

    const onlyNew = new AesGcmCodec({ keys: [fresh] });
    await expect(onlyNew.decode([old])).rejects.toThrow(new RegExp(`unknown key id "${before.activeKeyId}"`));
  });

  it('When ciphertext is tampered with or relabelled to another key, then decoding refuses it', async () => {
    const k1 = newCodecKey();
    const k2 = newCodecKey();
    const codec = new AesGcmCodec({ keys: [k1, k2] });
    const [enc] = await codec.encode([plain('x')]);
    const flipped = { ...enc, data: Uint8Array.from(enc.data!, (b, i) => (i === 20 ? b ^ 1 : b)) };
    await expect(codec.decode([flipped])).rejects.toThrow(/does not authenticate/);
    const relabelled = { ...enc, metadata: { ...enc.metadata, [KEY_ID_METADATA]: new TextEncoder().encode(k2.id) } };
    await expect(codec.decode([relabelled])).rejects.toThrow(/does not authenticate/);
  });

  it('When a payload is not encrypted, then decode passes it through (history from before encryption stays readable)', async () => {
    const codec = new AesGcmCodec({ keys: [newCodecKey()] });
    const p = plain({ a: 1 });
    expect(await codec.decode([p])).toEqual([p]);
  });

  it('When keys are given as text, then bad ids, short keys and duplicates are refused with the reason, never the key', () => {
    const good = newCodecKey().key.toString('base64');
    expect(parseKeyList(`a=${good}, b=${good}`, 'src').map((k) => k.id)).toEqual(['a', 'b']);
    expect(() => parseKeyList(`a=${good.slice(4)}`, 'src')).toThrow(/not 32 bytes/);
    expect(() => parseKeyList(`bad id=${good}`, 'src')).toThrow(KeyringError);
    expect(() => parseKeyList(`a=${good},a=${good}`, 'src')).toThrow(/listed twice/);
    expect(() => parseKeyList(good, 'src')).toThrow(/ID=BASE64KEY/);
    // A key whose base64 has no '+' or '/' looks like an id followed by '=': still refused without echoing it.
    expect(() => parseKeyList('AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg=', 'src')).toThrow(/expected ID=BASE64KEY/);
    for (const bad of [`a=${good.slice(4)}`, good, `bad id=${good}`]) {
      try {
        parseKeyList(bad, 'src');
      } catch (err) {
        expect((err as Error).message).not.toContain(good.slice(4, 40));
      }
    }
  });

  it('When neither keys nor a keyring file exist, then loading says how to create them', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'keyring-')), 'missing.json');
    expect(() => loadKeyring({ keyringFile: file })).toThrow(/run `dicom-intake start` once .* or set the keys/);
  });
});
