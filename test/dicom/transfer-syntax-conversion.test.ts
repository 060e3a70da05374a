/**
 * Tier A inputs the reader converts (converted-input.ts): Explicit VR Big Endian, Deflated Explicit VR Little Endian
 * and datasets without File Meta. pydicom, reading both sides, must find every value equal (numbers decoded in each
 * file's byte order, pixel cells compared as values), and the big endian corpus files must give the pixel bytes of
 * their little endian twins in the same corpus. dcmtk's dcmconv makes big endian files from synthetic ones.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DicomReadError, encodeFileMeta, openDicom, readDicomFile, writeEditedFile, TAG } from '../../src/dicom';
import { buildDicom } from '../factories/dicom-builder';

const CORPUS = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const dir = mkdtempSync(join(tmpdir(), 'dicom-ts-conversion-'));
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const IMPLICIT_LE = '1.2.840.10008.1.2';
const DEFLATED = '1.2.840.10008.1.2.1.99';

// Lists, for each pair (source, output), the elements outside group 0002 whose presence or value differ, with the
// output's transfer syntax. Numbers are decoded by pydicom in each file's byte order; OW/OF/OL/OD bytes and pixel
// cells of a big endian file are compared in little endian order (cells of Bits Allocated bits, as pydicom decodes).
const COMPARE = `
import sys, json, pydicom
def read(path):
    try:
        return pydicom.dcmread(path)
    except pydicom.errors.InvalidDicomError:
        return pydicom.dcmread(path, force=True)
UNIT = {"OW": 2, "OF": 4, "OL": 4, "OD": 8, "OV": 8}
def flat(ds, prefix, out):
    for e in ds:
        key = prefix + format(e.tag, "08X")
        if e.tag >> 16 == 2: continue
        if e.VR == "SQ":
            out[key] = len(e.value)
            for i, item in enumerate(e.value): flat(item, key + "/" + str(i) + "/", out)
            continue
        v = e.value
        if isinstance(v, bytes) and not ds.is_little_endian and e.VR in UNIT:
            n = UNIT[e.VR]
            if e.tag == 0x7FE00010: n = max(2, ds.BitsAllocated // 8)
            v = b"".join(v[i:i + n][::-1] for i in range(0, len(v), n))
        out[key] = v.hex() if isinstance(v, bytes) else repr(v)
    return out
res = []
for a, b in json.load(sys.stdin):
    A, B = read(a), read(b)
    fa, fb = flat(A, "", {}), flat(B, "", {})
    res.append({"differ": sorted(k for k in set(fa) | set(fb) if fa.get(k) != fb.get(k)), "ts": str(B.file_meta.TransferSyntaxUID), "count": len(fa)})
print(json.dumps(res))
`;

interface Compared {
  differ: string[];
  ts: string;
  count: number;
}

function compare(pairs: Array<[string, string]>): Compared[] {
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', COMPARE], { input: JSON.stringify(pairs), encoding: 'utf8' })) as Compared[];
}

async function convert(input: string, name: string): Promise<string> {
  const out = join(dir, name);
  await writeEditedFile(await openDicom(input), out);
  return out;
}

async function refusal(path: string, options?: Parameters<typeof readDicomFile>[1]): Promise<DicomReadError> {
  try {
    await readDicomFile(path, options);
  } catch (e) {
    if (e instanceof DicomReadError) return e;
    throw e;
  }
  throw new Error(`${path} was read`);
}

/** A synthetic explicit VR LE file with sequences (defined and undefined lengths), a private block and numbers. */
function syntheticFile(extra: Parameters<typeof buildDicom>[0] = {}): Buffer {
  return buildDicom({
    nestedSequence: true,
    undefinedLengthSequence: true,
    privateBlock: true,
    elements: { PatientName: 'Endian^Canary', PatientID: 'ENDIAN01', PixelSpacing: '0.5\\0.5', WindowCenter: '40' },
    ...extra,
  });
}

/** The dataset of a Part 10 file (what follows its File Meta). */
async function datasetOf(path: string): Promise<Buffer> {
  const index = await readDicomFile(path);
  const first = index.elements.find((e) => e.tag >>> 16 !== 0x0002)!;
  return readFileSync(path).subarray(first.start);
}

describe('big endian inputs', () => {
  const corpus = ['MR_small_bigendian.dcm', 'MR_small_expb.dcm', 'ExplVR_BigEnd.dcm', 'liver_expb_1frame.dcm', 'rtdose_expb.dcm', 'rtdose_expb_1frame.dcm', 'dicomdirtests/DICOMDIR-bigEnd'];

  it('When the big endian corpus files are read and written, then pydicom finds every value of each equal in an Explicit VR Little Endian output', async () => {
    const pairs: Array<[string, string]> = [];
    for (const name of corpus) pairs.push([join(CORPUS, name), await convert(join(CORPUS, name), name.replace(/\//g, '_'))]);
    const results = compare(pairs);
    for (const [i, name] of corpus.entries()) {
      expect(results[i], name).toMatchObject({ differ: [], ts: EXPLICIT_LE });
      expect(results[i]!.count, name).toBeGreaterThan(10);
    }
  });

  it('When a big endian file has a little endian twin in the corpus, then the converted pixel data equals the twin\'s, cell for cell', async () => {
    const twins: Array<[string, string]> = [['MR_small_bigendian.dcm', 'MR_small.dcm'], ['rtdose_expb.dcm', 'rtdose.dcm'], ['liver_expb_1frame.dcm', 'liver_1frame.dcm']];
    for (const [be, le] of twins) {
      const out = await convert(join(CORPUS, be), `twin-${be}`);
      const ours = await openDicom(out);
      const twin = await openDicom(join(CORPUS, le));
      const pixels = (e: Awaited<ReturnType<typeof openDicom>>, path: string) => {
        const element = e.originalElement(TAG.PixelData)!;
        return readFileSync(path).subarray(element.valueOffset, element.end);
      };
      expect(pixels(ours, out).equals(pixels(twin, join(CORPUS, le))), be).toBe(true);
    }
  });

  it('When dcmconv writes a synthetic file in big endian, then reading it back gives the original values, sequences and private block included', async () => {
    const original = join(dir, 'synthetic-le.dcm');
    writeFileSync(original, syntheticFile({ elements: { PatientName: 'Endian^Canary', BitsAllocated: '16', ImagePositionPatient: '1.5\\-2\\3' } }));
    const bigEndian = join(dir, 'synthetic-be.dcm');
    execFileSync('dcmconv', ['+tb', original, bigEndian]);
    expect(readFileSync(bigEndian).equals(readFileSync(original))).toBe(false);
    const out = await convert(bigEndian, 'synthetic-be-to-le.dcm');
    const [result] = compare([[original, out]]);
    expect(result).toMatchObject({ differ: [], ts: EXPLICIT_LE });
    expect((await openDicom(bigEndian)).index.converted?.conversion).toEqual({ kind: 'big-endian', fromTransferSyntaxUid: '1.2.840.10008.1.2.2', toTransferSyntaxUid: EXPLICIT_LE });
  });

  it('When a big endian file is edited, then only the edited value differs in the little endian output', async () => {
    const editor = await openDicom(join(CORPUS, 'MR_small_bigendian.dcm'));
    editor.setString(0x00100010, 'Edited^Name');
    const out = join(dir, 'edited-be.dcm');
    await writeEditedFile(editor, out);
    const [result] = compare([[join(CORPUS, 'MR_small_bigendian.dcm'), out]]);
    expect(result).toMatchObject({ differ: ['00100010'], ts: EXPLICIT_LE });
    expect((await openDicom(out)).getString(0x00100010)).toBe('Edited^Name');
  });

  it('When a big endian file is larger than maxConvertedBytes, then it is refused as TOO_LARGE_TO_CONVERT with what to do', async () => {
    const e = await refusal(join(CORPUS, 'MR_small_bigendian.dcm'), { maxConvertedBytes: 4096 });
    expect(e.code).toBe('TOO_LARGE_TO_CONVERT');
    expect(e.message).toMatch(/Explicit VR Big Endian .*dcmconv \+te/);
  });

  it('When a big endian value length is not a multiple of its VR\'s unit, then the file is refused with BAD_LENGTH', async () => {
    const bytes = readFileSync(join(CORPUS, 'MR_small_bigendian.dcm'));
    // (0028,0010) Rows, US: make its length 3 in the big endian header.
    const at = bytes.indexOf(Buffer.from([0x00, 0x28, 0x00, 0x10, 0x55, 0x53, 0x00, 0x02]));
    expect(at).toBeGreaterThan(132);
    const bad = Buffer.from(bytes);
    bad.writeUInt16BE(3, at + 6);
    const path = join(dir, 'bad-length-be.dcm');
    writeFileSync(path, bad);
    const e = await refusal(path);
    expect(e.code).toMatch(/BAD_LENGTH|TRUNCATED/);
    expect(e.message).toContain('(0028,0010)');
  });
});

describe('deflated inputs', () => {
  async function deflatedCopy(name: string, mutate: (deflated: Buffer) => Buffer = (d) => d, pixelDataBytes?: number): Promise<{ original: string; deflated: string }> {
    const original = join(dir, `${name}-le.dcm`);
    writeFileSync(original, syntheticFile(pixelDataBytes === undefined ? {} : { pixelDataBytes }));
    const index = await readDicomFile(original);
    const uid = (tag: number) => (index.valueBytes(index.elements.find((e) => e.tag === tag)!) ?? Buffer.alloc(0)).toString('latin1').replace(/\0+$/, '');
    const meta = encodeFileMeta({ sopClassUid: uid(TAG.MediaStorageSOPClassUID), sopInstanceUid: uid(TAG.MediaStorageSOPInstanceUID), transferSyntaxUid: DEFLATED });
    const deflated = join(dir, `${name}-dfl.dcm`);
    writeFileSync(deflated, Buffer.concat([meta, mutate(deflateRawSync(await datasetOf(original)))]));
    return { original, deflated };
  }

  it('When the corpus\'s deflated file is read and written, then pydicom finds every value equal in an Explicit VR Little Endian output', async () => {
    const out = await convert(join(CORPUS, 'image_dfl.dcm'), 'image_dfl.dcm');
    const [result] = compare([[join(CORPUS, 'image_dfl.dcm'), out]]);
    expect(result).toMatchObject({ differ: [], ts: EXPLICIT_LE });
    execFileSync('dcmdump', ['-q', '+E', out]);
  });

  it('When a synthetic file is deflated, then it is inflated to the original dataset byte for byte', async () => {
    const { original, deflated } = await deflatedCopy('roundtrip');
    const out = await convert(deflated, 'roundtrip-inflated.dcm');
    expect((await datasetOf(out)).equals(await datasetOf(original))).toBe(true);
    expect((await openDicom(out)).index.transferSyntaxUid).toBe(EXPLICIT_LE);
  });

  it('When a deflated dataset inflates beyond maxConvertedBytes, then it is refused as TOO_LARGE_TO_CONVERT before it is held whole', async () => {
    // 4 MiB of pixel data compresses to a few KiB: a small decompression bomb.
    const { deflated } = await deflatedCopy('bomb', undefined, 4 * 1024 * 1024);
    expect(readFileSync(deflated).length).toBeLessThan(200 * 1024);
    const e = await refusal(deflated, { maxConvertedBytes: 1024 * 1024 });
    expect(e.code).toBe('TOO_LARGE_TO_CONVERT');
    expect(e.message).toContain('decompression bomb');
    expect((await readDicomFile(deflated)).converted?.conversion.kind).toBe('deflated');
  });

  it('When a deflated stream is corrupt, then the file is refused with BAD_DEFLATE', async () => {
    const { deflated } = await deflatedCopy('corrupt', (d) => Buffer.concat([Buffer.from([0xff, 0xff, 0xff]), d]));
    const e = await refusal(deflated);
    expect(e.code).toBe('BAD_DEFLATE');
    expect(e.message).toMatch(/cannot be inflated/);
  });
});

describe('inputs without File Meta', () => {
  async function rawCopy(name: string, transferSyntax: 'explicit' | 'implicit', elements: Record<string, string | null> = {}, prepend = Buffer.alloc(0)): Promise<{ original: string; raw: string }> {
    const original = join(dir, `${name}-part10.dcm`);
    writeFileSync(original, buildDicom({ transferSyntax, nestedSequence: true, undefinedLengthSequence: true, elements: { PatientName: 'Raw^Canary', ...elements } }));
    const raw = join(dir, `${name}-raw.dcm`);
    writeFileSync(raw, Buffer.concat([prepend, await datasetOf(original)]));
    return { original, raw };
  }

  it('When an implicit VR LE dataset has no preamble and no File Meta, then it is read with a generated File Meta naming its SOP Class and Instance', async () => {
    const { original, raw } = await rawCopy('implicit', 'implicit');
    const editor = await openDicom(raw);
    expect(editor.index.converted?.conversion).toEqual({ kind: 'no-meta', fromTransferSyntaxUid: '', toTransferSyntaxUid: IMPLICIT_LE });
    expect(editor.getString(TAG.MediaStorageSOPInstanceUID)).toBe(editor.getString(TAG.SOPInstanceUID));
    expect(editor.getString(TAG.MediaStorageSOPClassUID)).toBe(editor.getString(TAG.SOPClassUID));
    const out = join(dir, 'implicit-with-meta.dcm');
    await writeEditedFile(editor, out);
    expect((await datasetOf(out)).equals(readFileSync(raw))).toBe(true);
    expect(compare([[original, out]])[0]).toMatchObject({ differ: [], ts: IMPLICIT_LE });
  });

  it('When a file has a preamble and "DICM" but no group 0002, then its dataset is recognised by the same rule', async () => {
    const { original, raw } = await rawCopy('dicm-only', 'explicit');
    const path = join(dir, 'dicm-no-meta.dcm');
    writeFileSync(path, Buffer.concat([Buffer.alloc(128), Buffer.from('DICM', 'latin1'), readFileSync(raw)]));
    const out = await convert(path, 'dicm-no-meta-out.dcm');
    expect((await openDicom(path)).index.converted?.conversion.kind).toBe('no-meta');
    expect(compare([[original, out]])[0]).toMatchObject({ differ: [], ts: EXPLICIT_LE });
  });

  it('When the corpus\'s File Meta-less files are read, then the implicit one and both explicit ones are recognised and pydicom agrees with every value', async () => {
    const expected: Record<string, string> = { 'rtstruct.dcm': IMPLICIT_LE, 'ExplVR_LitEndNoMeta.dcm': EXPLICIT_LE, 'ExplVR_BigEndNoMeta.dcm': EXPLICIT_LE };
    const names = Object.keys(expected);
    const pairs: Array<[string, string]> = [];
    for (const name of names) pairs.push([join(CORPUS, name), await convert(join(CORPUS, name), `nometa-${name}`)]);
    const results = compare(pairs);
    for (const [i, name] of names.entries()) expect(results[i], name).toMatchObject({ differ: [], ts: expected[name] });
  });

  it('When a raw dataset is preceded by a stray byte (no_meta.dcm), lacks its SOP Instance UID or is not DICOM at all, then it is refused with NOT_DICOM', async () => {
    const stray = await rawCopy('stray', 'implicit', {}, Buffer.from([0x20]));
    const noUid = await rawCopy('no-uid', 'implicit', { SOPInstanceUID: null });
    const text = join(dir, 'text.txt');
    writeFileSync(text, 'Patient: nobody\n'.repeat(40));
    for (const path of [join(CORPUS, 'no_meta.dcm'), stray.raw, noUid.raw, text]) {
      const e = await refusal(path);
      expect(e.code, path).toBe('NOT_DICOM');
      expect(e.message, path).toContain('not a recognisable dataset');
      expect(e.message, path).not.toContain('Canary');
    }
  });

  it('When a large file is not DICOM, then it is refused from its first bytes rather than read whole for recognition', async () => {
    const big = join(dir, 'big-not-dicom.bin');
    writeFileSync(big, Buffer.alloc(2 * 1024 * 1024, 0x41));
    const e = await refusal(big, { maxConvertedBytes: 1024 * 1024 });
    expect(e.code).toBe('NOT_DICOM');
  });
});
