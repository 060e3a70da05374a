/**
 * Encrypted Attributes Sequence (PS3.15 E.1.1 items 1 and 4) checked with real peers: pydicom reads the item,
 * `openssl cms -decrypt` opens the CMS EnvelopedData (key-encryption key, and RSA key transport to a certificate),
 * pydicom parses the decrypted Modified Attributes Sequence and finds the original values, which appear nowhere in
 * the output file in clear.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { deidentifyFile } from '../../../src/activities/deidentify-file';
import { parseRecipient } from '../../../src/anonymize/profile/cms-enveloped-data';
import { parseProfileOptions } from '../../../src/anonymize/profile/profile-options';
import { openDicom } from '../../../src/dicom';

const CT_SMALL = '/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm';
const SECRET = 'encrypted-attributes-secret';
const profile = parseProfileOptions('basic');
const KEK_ID = '0a0b0c0d';
const KEK = '5f'.repeat(16) + 'a3'.repeat(16);

/** Takes the Encrypted Content out of the output (pydicom), trimmed to its DER length, and its transfer syntax. */
const EXTRACT = `
import sys, json, pydicom
ds = pydicom.dcmread(sys.argv[1])
items = ds.EncryptedAttributesSequence
der = bytes(items[0].EncryptedContent)
n = der[1]
length = 2 + n if n < 0x80 else 2 + (n & 0x7f) + int.from_bytes(der[2:2 + (n & 0x7f)], 'big')
open(sys.argv[2], 'wb').write(der[:length])
print(json.dumps({'items': len(items), 'ts': items[0].EncryptedContentTransferSyntaxUID}))
`;

/** Parses the decrypted dataset (Explicit VR LE, no meta) and prints the originals it holds. */
const INNER = `
import sys, json
from io import BytesIO
from pydicom.filereader import read_dataset
ds = read_dataset(BytesIO(open(sys.argv[1], 'rb').read()), is_implicit_VR=False, is_little_endian=True)
item = ds.ModifiedAttributesSequence[0]
print(json.dumps({'items': len(ds.ModifiedAttributesSequence), 'name': str(item.get('PatientName', '')), 'id': item.get('PatientID'), 'study': item.get('StudyInstanceUID'), 'sop': item.get('SOPInstanceUID'), 'privateCreator': item.get((0x0009, 0x0010)).value if (0x0009, 0x0010) in item else None, 'modality': item.get('Modality')}))
`;

const py = (script: string, ...args: string[]): string => execFileSync('/usr/bin/python3', ['-c', script, ...args], { encoding: 'utf8' });

describe('Encrypted Attributes Sequence', () => {
  const dir = mkdtempSync(join(tmpdir(), 'encrypted-attrs-'));
  let original: { name: string; id: string; study: string; sop: string };

  beforeAll(async () => {
    const src = await openDicom(CT_SMALL);
    original = { name: src.getString(0x00100010)!, id: src.getString(0x00100020)!, study: src.getString(0x0020000d)!, sop: src.getString(0x00080018)! };
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-subj', '/CN=dicom-intake test recipient', '-days', '2'], { stdio: 'ignore' });
  });

  async function encrypted(recipientText: string, name: string) {
    const out = join(dir, `${name}.dcm`);
    await deidentifyFile(CT_SMALL, out, { profile, secret: SECRET, vars: {}, encryptTo: parseRecipient(recipientText) });
    const der = join(dir, `${name}.der`);
    const outer = JSON.parse(py(EXTRACT, out, der)) as { items: number; ts: string };
    return { out, der, outer };
  }

  function expectOriginals(plain: string): void {
    const inner = JSON.parse(py(INNER, plain));
    expect(inner).toEqual({ items: 1, name: original.name, id: original.id, study: original.study, sop: original.sop, privateCreator: 'GEMS_IDEN_01', modality: null });
  }

  it('When a key-encryption key is configured, then openssl decrypts the item and the dataset holds the original values the profile changed or removed, and only those', async () => {
    const { out, der, outer } = await encrypted(`kek:${KEK_ID}:${KEK}`, 'kek');
    expect(outer).toEqual({ items: 1, ts: '1.2.840.10008.1.2.1' });
    const plain = join(dir, 'kek.plain');
    execFileSync('openssl', ['cms', '-decrypt', '-inform', 'DER', '-in', der, '-secretkey', KEK, '-secretkeyid', KEK_ID, '-out', plain]);
    expectOriginals(plain); // Modality is kept by the profile, so it is not among the originals
    // The originals are only in the ciphertext.
    const bytes = readFileSync(out);
    for (const value of [original.name, original.id, original.study, original.sop]) expect(bytes.includes(Buffer.from(value, 'latin1'))).toBe(false);
  });

  it('When the wrong key-encryption key is used, then openssl cannot decrypt', async () => {
    const { der } = await encrypted(`kek:${KEK_ID}:${KEK}`, 'kek-wrong');
    expect(() => execFileSync('openssl', ['cms', '-decrypt', '-inform', 'DER', '-in', der, '-secretkey', '11'.repeat(32), '-secretkeyid', KEK_ID], { stdio: 'pipe' })).toThrow();
  });

  it('When an RSA certificate is configured, then openssl decrypts with the private key (key transport, as PS3.15 specifies)', async () => {
    const { der } = await encrypted(readFileSync(join(dir, 'cert.pem'), 'utf8'), 'rsa');
    const plain = join(dir, 'rsa.plain');
    execFileSync('openssl', ['cms', '-decrypt', '-inform', 'DER', '-in', der, '-recip', join(dir, 'cert.pem'), '-inkey', join(dir, 'key.pem'), '-out', plain]);
    expectOriginals(plain);
  });

  it('When the same file is de-identified twice with a key-encryption key, then the outputs are byte-identical', async () => {
    const a = await encrypted(`kek:${KEK_ID}:${KEK}`, 'det-a');
    const b = await encrypted(`kek:${KEK_ID}:${KEK}`, 'det-b');
    expect(readFileSync(a.out).equals(readFileSync(b.out))).toBe(true);
  });

  it('When no recipient key is configured, then no Encrypted Attributes Sequence is written', async () => {
    const out = join(dir, 'plain.dcm');
    await deidentifyFile(CT_SMALL, out, { profile, secret: SECRET, vars: {} });
    expect((await openDicom(out)).has(0x04000500)).toBe(false);
  });

  it('When the recipient key is malformed, then it is refused with a clear reason', () => {
    expect(() => parseRecipient('kek:01:abcd')).toThrow(/16, 24 or 32 bytes/);
    expect(() => parseRecipient('not a key')).toThrow(/RSA certificate \(PEM\) or a line "kek:KEYID_HEX:KEY_HEX"/);
    writeFileSync(join(dir, 'junk.pem'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    expect(() => parseRecipient(readFileSync(join(dir, 'junk.pem'), 'utf8'))).toThrow(/cannot be used/);
  });
});
