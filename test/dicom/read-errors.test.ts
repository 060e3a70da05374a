import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DicomReadError, readDicomFile, type DicomReadErrorCode, type ReadOptions } from '../../src/dicom';
import { buildDicom } from '../factories/dicom-builder';

const dir = mkdtempSync(join(tmpdir(), 'dicom-errors-'));
const SECRET_NAME = 'SECRET^NAME';
const SECRET_ID = 'SECRETID42';
let counter = 0;

function secretFile(): Buffer {
  return buildDicom({ elements: { PatientName: SECRET_NAME, PatientID: SECRET_ID, ImageComments: 'SECRET comment' }, nestedSequence: true, undefinedLengthSequence: true });
}

async function readBytes(bytes: Buffer, options?: ReadOptions): Promise<DicomReadError | undefined> {
  const path = join(dir, `f-${counter++}.dcm`);
  writeFileSync(path, bytes);
  try {
    await readDicomFile(path, options);
    return undefined;
  } catch (e) {
    if (!(e instanceof DicomReadError)) throw e;
    return e;
  }
}

async function expectReadError(bytes: Buffer, code: DicomReadErrorCode, options?: ReadOptions): Promise<DicomReadError> {
  const error = await readBytes(bytes, options);
  expect(error?.code).toBe(code);
  expect(error?.name).toBe('DicomReadError');
  expect(error?.message).not.toMatch(/SECRET/);
  return error!;
}

/** Offset of the first explicit-VR element with this tag in `bytes`. */
function offsetOf(bytes: Buffer, group: number, element: number, vr: string): number {
  const needle = Buffer.alloc(6);
  needle.writeUInt16LE(group, 0);
  needle.writeUInt16LE(element, 2);
  needle.write(vr, 4, 'latin1');
  const at = bytes.indexOf(needle, 132);
  expect(at).toBeGreaterThan(0);
  return at;
}

describe('refusing what cannot be read losslessly', () => {
  it('When the input is garbage or too short, then it is refused as NOT_DICOM', async () => {
    await expectReadError(randomBytes(4000), 'NOT_DICOM');
    await expectReadError(Buffer.from('hello'), 'NOT_DICOM');
    await expectReadError(Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), Buffer.from('0800050043530a00', 'hex'), Buffer.alloc(10)]), 'NOT_DICOM');
  });

  it('When a file is cut anywhere, then it either ends on an element boundary and reads, or is refused as TRUNCATED without values in the message', async () => {
    const full = secretFile();
    const datasetStart = 132 + 12 + full.readUInt32LE(132 + 8);
    let truncated = 0;
    for (let cut = 133; cut < full.length; cut += 3) {
      const error = await readBytes(full.subarray(0, cut));
      if (error === undefined) continue;
      truncated++;
      // Cut on a boundary inside the meta group, a file loses its transfer syntax, which is reported as such.
      expect(error.code).toBe(cut < datasetStart && error.code !== 'TRUNCATED' ? 'UNSUPPORTED_TRANSFER_SYNTAX' : 'TRUNCATED');
      expect(error.message).not.toMatch(/SECRET/);
      if (error.code === 'TRUNCATED') expect(error.message).toMatch(/byte \d+/);
    }
    expect(truncated).toBeGreaterThan(100);
  });

  it('When a length is odd, runs past the end of the file or is undefined on a text VR, then it is refused with BAD_LENGTH or TRUNCATED', async () => {
    const odd = secretFile();
    const name = offsetOf(odd, 0x0010, 0x0010, 'PN');
    odd.writeUInt16LE(odd.readUInt16LE(name + 6) - 1, name + 6);
    const error = await expectReadError(odd, 'BAD_LENGTH');
    expect(error.message).toContain('(0010,0010)');
    expect(error.message).toContain(`byte ${name}`);

    const past = secretFile();
    const comment = offsetOf(past, 0x0020, 0x4000, 'LT');
    past.writeUInt16LE(0xfff0, comment + 6);
    await expectReadError(past, 'TRUNCATED');

    // A hostile 4 GB length must be refused before any allocation.
    const huge = secretFile();
    const seq = offsetOf(huge, 0x0008, 0x1140, 'SQ');
    huge.writeUInt32LE(0xfffffff0, seq + 8);
    await expectReadError(huge, 'TRUNCATED');
  });

  it('When a VR is not a DICOM VR, then it is refused as BAD_VR naming the tag', async () => {
    const bytes = secretFile();
    const at = offsetOf(bytes, 0x0010, 0x0020, 'LO');
    bytes.write('Q!', at + 4, 'latin1');
    const error = await expectReadError(bytes, 'BAD_VR');
    expect(error.message).toContain('(0010,0020)');
  });

  it('When a little endian dataset is labelled big endian, then the conversion refuses it naming a position, never swapping it silently', async () => {
    // Big endian files are converted on read (transfer-syntax-conversion.test.ts); a mislabelled one must not pass.
    const bytes = secretFile();
    const ts = bytes.indexOf(Buffer.from('1.2.840.10008.1.2.1\0', 'latin1'));
    bytes.write('1.2.840.10008.1.2.2', ts, 'latin1');
    const error = await readBytes(bytes);
    expect(error?.code).toMatch(/^(BAD_VR|BAD_LENGTH|TRUNCATED)$/);
    expect(error?.message).toMatch(/byte \d+/);
    expect(error?.message).not.toMatch(/SECRET/);
  });

  it('When the transfer syntax is missing, then it is refused as UNSUPPORTED_TRANSFER_SYNTAX', async () => {
    const bytes = secretFile();
    const ts = bytes.indexOf(Buffer.from('1.2.840.10008.1.2.1\0', 'latin1'));
    // Rename (0002,0010) to (0002,0011), which no reader looks for: the meta group keeps its length.
    bytes.writeUInt16LE(0x0011, ts - 6);
    const error = await expectReadError(bytes, 'UNSUPPORTED_TRANSFER_SYNTAX');
    expect(error.message).toContain('(0002,0010)');
  });

  it('When the header is larger than maxHeaderBytes, then it is refused as HEADER_TOO_LARGE', async () => {
    const bytes = buildDicom({ elements: { ImageComments: 'x'.repeat(20_000) } });
    await expectReadError(bytes, 'HEADER_TOO_LARGE', { maxHeaderBytes: 8 * 1024 });
    expect(await readBytes(bytes)).toBeUndefined();
  });

  it('When sequences nest without end, then the walk stops with BAD_LENGTH instead of exhausting the stack', async () => {
    const prefix = buildDicom({ pixelDataBytes: 0 });
    const pixelHeader = prefix.length - 12;
    const nest = Buffer.alloc(12 + 200 * 20);
    // (0008,1140) SQ undefined length, then 200 × (item undefined length + (0008,1140) SQ undefined length).
    let at = 0;
    const sq = (): void => {
      nest.writeUInt16LE(0x0008, at);
      nest.writeUInt16LE(0x1140, at + 2);
      nest.write('SQ', at + 4, 'latin1');
      nest.writeUInt32LE(0xffffffff, at + 8);
      at += 12;
    };
    sq();
    for (let i = 0; i < 200 && at + 20 <= nest.length; i++) {
      nest.writeUInt32LE(0xe000fffe, at);
      nest.writeUInt32LE(0xffffffff, at + 4);
      at += 8;
      sq();
    }
    await expectReadError(Buffer.concat([prefix.subarray(0, pixelHeader), nest.subarray(0, at)]), 'BAD_LENGTH');
  });
});
