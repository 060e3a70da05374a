import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { newCodecKey } from '../../src/codec/keyring';
import { openDicom, writeEditedFile } from '../../src/dicom';
import { StagedFileWriter } from '../../src/scp/staged-file-writer';
import { extractArchive } from '../../src/storage/archive-extract';
import { FileStore } from '../../src/storage/file-store';
import { SEAL_CHUNK_BYTES, SEAL_MAGIC } from '../../src/storage/sealed-file';
import { StagingCipher } from '../../src/storage/staging-cipher';
import { zipBuffers } from '../../src/storage/zip-write';
import { buildDicom, syntheticUid } from '../factories/dicom-builder';
import { tgzBuffers } from '../factories/tar-builder';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
const tempDir = async () => {
  const d = await mkdtemp(join(tmpdir(), 'staging-cipher-'));
  dirs.push(d);
  return d;
};
const LIMITS = { maxMembers: 100, maxExpandedBytes: 1 << 30, maxRatio: 1000 };

/** Seals `plain` to a new file through the transform every stream writer uses. */
async function sealTo(cipher: StagingCipher, plain: Buffer, pieces = 7): Promise<string> {
  const path = join(await tempDir(), 'f.bin');
  const step = Math.max(1, Math.ceil(plain.length / pieces));
  const parts = Array.from({ length: Math.ceil(plain.length / step) }, (_, i) => plain.subarray(i * step, (i + 1) * step));
  await pipeline(Readable.from(parts), cipher.sealStream(), createWriteStream(path));
  return path;
}

async function readAll(cipher: StagingCipher, path: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of cipher.readStream(path)) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('encrypted staging files', () => {
  const cipher = new StagingCipher([newCodecKey()]);

  it('When a DICOM file\'s preamble starts like a sealed file, then it is read as the plaintext it is; a bad key id in a header is refused without being quoted', async () => {
    const dir = await tempDir();
    const dicom = buildDicom({ elements: { PatientName: 'Preamble^Probe' } });
    // The preamble may hold anything: here the sealed format's magic and a "key id" made of header-like text.
    Buffer.concat([SEAL_MAGIC, Buffer.from('\x01\x00\x00\x10\x00XXXXXXXX\x08DOE^JOHN', 'latin1')]).copy(dicom, 0);
    const asDicom = join(dir, 'preamble.dcm');
    await writeFile(asDicom, dicom);
    const cipher = new StagingCipher();
    expect(await cipher.isSealed(asDicom)).toBe(false);
    const plain = await cipher.openPlain(asDicom);
    expect((await plain.stat()).size).toBe(dicom.length);
    await plain.close();
    // Without "DICM" at byte 128 the file is taken for a sealed one, and its unreadable key id is not echoed.
    const notDicom = Buffer.from(dicom);
    notDicom.write('XXXX', 128, 'latin1');
    const asSealed = join(dir, 'not-dicom.bin');
    await writeFile(asSealed, notDicom);
    const err = (await cipher.openPlain(asSealed).catch((e: unknown) => e)) as Error & { code?: string };
    expect(err).toMatchObject({ name: 'StagedFileDamagedError', code: 'BAD_HEADER' });
    expect(err.message).not.toContain('DOE^JOHN');
  });

  it('When files of sizes around the chunk size are sealed, then they read back byte for byte, streamed and at random offsets, and hold no plaintext', async () => {
    const cases = [0, 1, SEAL_CHUNK_BYTES - 1, SEAL_CHUNK_BYTES, SEAL_CHUNK_BYTES + 1, 3 * SEAL_CHUNK_BYTES + 17].flatMap((size) => [1, 7, 300].map((pieces) => ({ size, pieces })));
    for (const { size, pieces } of cases) {
      const plain = Buffer.concat([Buffer.from('PLAINTEXT-MARKER'), randomBytes(Math.max(0, size - 16))]).subarray(0, size);
      // One piece (whole chunks sealed from the caller's buffer), a few, or many small ones (held and completed).
      const path = await sealTo(cipher, plain, pieces);
      const disk = await readFile(path);
      expect(disk.subarray(0, SEAL_MAGIC.length).equals(SEAL_MAGIC)).toBe(true);
      if (size >= 16) expect(disk.includes(Buffer.from('PLAINTEXT-MARKER'))).toBe(false);
      expect((await readAll(cipher, path)).equals(plain), `size ${size} in ${pieces} pieces`).toBe(true);
      const file = await cipher.openPlain(path);
      try {
        expect((await file.stat()).size).toBe(size);
        if (size > 10) {
          const from = Math.floor(size / 2) - 5;
          const out = Buffer.alloc(Math.min(SEAL_CHUNK_BYTES + 10, size - from));
          const { bytesRead } = await file.read(out, 0, out.length, from);
          expect(out.subarray(0, bytesRead).equals(plain.subarray(from, from + bytesRead))).toBe(true);
          expect(bytesRead).toBe(out.length);
        }
      } finally {
        await file.close();
      }
    }
  });

  it('When a sealed file loses its tail (mid-chunk or exactly at a chunk boundary), then opening it fails as truncated or not authentic', async () => {
    const plain = randomBytes(3 * SEAL_CHUNK_BYTES + 100);
    for (const cut of [1, 100 + 16, 100 + 16 + SEAL_CHUNK_BYTES + 16]) {
      const path = await sealTo(cipher, plain);
      const size = (await readFile(path)).length;
      await truncate(path, size - cut);
      await expect(cipher.openPlain(path)).rejects.toMatchObject({ name: 'StagedFileDamagedError', code: expect.stringMatching(/^(TRUNCATED|NOT_AUTHENTIC)$/) });
      await expect(readAll(cipher, path)).rejects.toMatchObject({ name: 'StagedFileDamagedError' });
    }
  });

  it('When one byte of a sealed file is flipped (header, first, middle or last chunk), then reading it fails and never returns altered bytes', async () => {
    const plain = randomBytes(3 * SEAL_CHUNK_BYTES + 100);
    const clean = await readFile(await sealTo(cipher, plain));
    for (const at of [12, 40, clean.length - SEAL_CHUNK_BYTES - 200, clean.length - 3]) {
      const path = join(await tempDir(), 'flipped.bin');
      const bad = Buffer.from(clean);
      bad[at] ^= 0x01;
      await writeFile(path, bad);
      await expect(readAll(cipher, path), `byte ${at}`).rejects.toMatchObject({ name: 'StagedFileDamagedError' });
    }
  });

  it('When the staging key is rotated, then files sealed with the old key still read, new files use the new key, and a missing key is named', async () => {
    const old = newCodecKey();
    const plain = randomBytes(5000);
    const path = await sealTo(new StagingCipher([old]), plain);
    const rotated = new StagingCipher([newCodecKey(), old]);
    expect((await readAll(rotated, path)).equals(plain)).toBe(true);
    const fresh = await sealTo(rotated, plain);
    expect((await readFile(fresh)).includes(Buffer.from(rotated.activeKeyId!))).toBe(true);
    await expect(new StagingCipher([newCodecKey()]).openPlain(path)).rejects.toMatchObject({ name: 'StagedFileDamagedError', code: 'UNKNOWN_KEY', message: expect.stringContaining(old.id) });
    await expect(new StagingCipher().openPlain(path)).rejects.toMatchObject({ code: 'UNKNOWN_KEY' });
    // A plaintext file (written before the key was configured) is read as it is.
    const plainPath = join(await tempDir(), 'plain.bin');
    await writeFile(plainPath, plain);
    expect((await readAll(rotated, plainPath)).equals(plain)).toBe(true);
  });

  it('When the C-STORE writer seals a file, then its digest and size are those of the plaintext and the DICOM reader and writer read it through the cipher', async () => {
    const uid = syntheticUid();
    const dicom = buildDicom({ rows: 256, columns: 256, elements: { PatientName: 'Sealed^Reader', StudyInstanceUID: uid, SeriesInstanceUID: `${uid}.1`, SOPInstanceUID: `${uid}.1.1` } });
    const header = dicom.subarray(0, 200);
    const path = join(await tempDir(), 'rx.dcm');
    const w = new StagedFileWriter(path, header, cipher.sealer());
    for (let at = 200; at < dicom.length; at += 1000) w.write(dicom.subarray(at, at + 1000));
    w.end();
    await finished(w);
    expect(w.result).toMatchObject({ size: dicom.length, sha256: createHash('sha256').update(dicom).digest('hex') });
    const disk = await readFile(path);
    expect(disk.toString('latin1', 128, 132)).not.toBe('DICM');
    expect(disk.includes(Buffer.from('Sealed^Reader'))).toBe(false);
    await expect(openDicom(path)).rejects.toMatchObject({ name: 'DicomReadError' });
    const editor = await openDicom(path, { open: (p) => cipher.openPlain(p) });
    expect(editor.getString(0x00100010)).toBe('Sealed^Reader');
    // The pixel data is not held in memory: the writer copies it from the sealed file, decrypting.
    editor.setString(0x00100010, 'After^Pass');
    const out = join(await tempDir(), 'out.dcm');
    await writeEditedFile(editor, out);
    const written = await openDicom(out);
    expect(written.getString(0x00100010)).toBe('After^Pass');
    expect((await readFile(out)).subarray(-1000).equals(dicom.subarray(-1000))).toBe(true);
  });

  it('When a zip or a tar.gz upload is staged sealed, then extraction reads it through the cipher and writes sealed members with plaintext digests', async () => {
    const members = [
      { name: 'a/one.dcm', data: Buffer.from('first member bytes '.repeat(500)) },
      { name: 'b/two.dcm', data: Buffer.from('second member bytes '.repeat(9000)) },
    ];
    for (const archive of [await zipBuffers(members), tgzBuffers(members)]) {
      const dir = await tempDir();
      const upload = await sealTo(cipher, archive);
      const got = await extractArchive(upload, LIMITS, (i) => join(dir, `${i}.dcm`), cipher);
      expect(got.map((m) => m.name)).toEqual(members.map((m) => m.name));
      for (const [i, m] of got.entries()) {
        expect(m.sha256).toBe(createHash('sha256').update(members[i].data).digest('hex'));
        const disk = await readFile(m.path);
        expect(disk.subarray(0, SEAL_MAGIC.length).equals(SEAL_MAGIC)).toBe(true);
        expect(disk.includes(Buffer.from('member bytes'))).toBe(false);
        expect((await readAll(cipher, m.path)).equals(members[i].data)).toBe(true);
      }
      // An altered upload is reported as a damaged staging file, not as the uploader's bad archive.
      const bad = await readFile(upload);
      bad[bad.length - 40] ^= 0xff;
      await writeFile(upload, bad);
      await expect(extractArchive(upload, LIMITS, (i) => join(dir, `x${i}.dcm`), cipher)).rejects.toMatchObject({ name: 'StagedFileDamagedError' });
    }
  });

  it('When a sealed raw file leaves staging, then unsealMove writes its plaintext and removes the sealed one; a plaintext file is just renamed', async () => {
    const root = await tempDir();
    const store = new FileStore(root, cipher);
    await store.init();
    await mkdir(store.path('staging/u1'));
    const plain = randomBytes(2 * SEAL_CHUNK_BYTES + 3);
    await pipeline(Readable.from([plain]), cipher.sealStream(), createWriteStream(store.path('staging/u1/raw-1')));
    await store.unsealMove('staging/u1/raw-1', 'staging/u1/site/1');
    expect((await readFile(store.path('staging/u1/site/1'))).equals(plain)).toBe(true);
    expect(await store.exists('staging/u1/raw-1')).toBe(false);
    await writeFile(store.path('staging/u1/raw-2'), plain);
    await store.unsealMove('staging/u1/raw-2', 'staging/u1/site/2');
    expect((await readFile(store.path('staging/u1/site/2'))).equals(plain)).toBe(true);
    expect(await store.stagedSize(store.path('staging/u1/site/2'))).toBe(plain.length);
    // A sealed file altered in its middle chunk: the move fails, the sealed file stays, no plaintext part is left.
    await pipeline(Readable.from([plain]), cipher.sealStream(), createWriteStream(store.path('staging/u1/raw-3')));
    const sealedBytes = await readFile(store.path('staging/u1/raw-3'));
    sealedBytes[sealedBytes.length - 19 - 100] ^= 0x04; // in chunk 2 of 3: chunk 1 was already written out
    await writeFile(store.path('staging/u1/raw-3'), sealedBytes);
    await expect(store.unsealMove('staging/u1/raw-3', 'staging/u1/site/3')).rejects.toMatchObject({ name: 'StagedFileDamagedError' });
    expect(await store.list('staging/u1')).toEqual(['staging/u1/raw-3', 'staging/u1/site/1', 'staging/u1/site/2']);
  });
});
