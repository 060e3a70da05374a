/**
 * The transfer-syntax adapter in front of the little endian reader. Inputs the byte-range editor cannot edit in
 * place are converted, whole and in memory (bounded by `maxConvertedBytes`), into a Part 10 file it can edit:
 *
 * - Explicit VR Big Endian -> Explicit VR Little Endian, every value swapped by its VR (big-endian.ts);
 * - Deflated Explicit VR Little Endian -> Explicit VR Little Endian, inflated with a size cap (deflated-dataset.ts);
 * - a dataset without File Meta -> the same dataset behind a generated File Meta, when raw-dataset.ts recognises it.
 *
 * The output of such a file is written in the converted transfer syntax with (0002,0010) updated; the conversion is
 * reported with the file (docs/profile.md, "Transfer syntaxes").
 */
import type { ByteSource } from './byte-source';
import { bigEndianToLittleEndian } from './big-endian';
import { inflateDataset } from './deflated-dataset';
import { encodeElement } from './element-encoder';
import { elementEnd, readElementHeader } from './element-walker';
import { DicomReadError } from './errors';
import { encodeFileMeta, uid } from './file-meta';
import { mayStartRawDataset, recogniseRawDataset, unrecognisedRawDataset } from './raw-dataset';
import { TAG } from './tags';
import { EXPLICIT_VR_LITTLE_ENDIAN } from './transfer-syntax';

/** Why an input was converted before it was read. */
export type InputConversionKind = 'big-endian' | 'deflated' | 'no-meta';

/** A conversion done on read: the output is written in `toTransferSyntaxUid`. */
export interface InputConversion {
  readonly kind: InputConversionKind;
  /** The input's transfer syntax; '' when it had no File Meta. */
  readonly fromTransferSyntaxUid: string;
  readonly toTransferSyntaxUid: string;
}

export const EXPLICIT_VR_BIG_ENDIAN = '1.2.840.10008.1.2.2';
export const DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1.99';
const META_START = 132;

/** Raised by the reader (never outside the byte layer) when a file can be read only through this adapter. */
export class ConversionNeeded {
  constructor(
    readonly kind: InputConversionKind,
    /** Where the dataset starts: after the File Meta, or where the bytes start when there is none. */
    readonly datasetStart: number,
    readonly transferSyntaxUid = '',
  ) {}
}

/** The kind of conversion a transfer syntax needs, or undefined when the reader handles it as it is. */
export function conversionFor(transferSyntaxUid: string | undefined): InputConversionKind | undefined {
  if (transferSyntaxUid === EXPLICIT_VR_BIG_ENDIAN) return 'big-endian';
  if (transferSyntaxUid === DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN) return 'deflated';
  return undefined;
}

/** The converted Part 10 file (preamble, "DICM", File Meta, little endian dataset) and what was done. */
export async function convertInput(source: ByteSource, fileSize: number, need: ConversionNeeded, maxBytes: number): Promise<{ bytes: Buffer; conversion: InputConversion }> {
  const tooLarge = (size: number) =>
    new DicomReadError('TOO_LARGE_TO_CONVERT', `converting this ${inputName(need)} file needs ${size} bytes in memory, more than the ${maxBytes}-byte limit (maxConvertedBytes); convert it to Explicit VR Little Endian first (dcmconv +te)`);
  if (need.kind === 'no-meta') {
    // The first bytes decide whether this can be a dataset at all, before a large non-DICOM file is read whole.
    const size = fileSize - need.datasetStart;
    if (!mayStartRawDataset(await readRange(source, need.datasetStart, need.datasetStart + Math.min(size, 8)))) throw unrecognisedRawDataset(fileSize);
    if (size > maxBytes) throw tooLarge(size);
    const raw = recogniseRawDataset(await readRange(source, need.datasetStart, fileSize), fileSize);
    const meta = encodeFileMeta({ sopClassUid: raw.sopClassUid, sopInstanceUid: raw.sopInstanceUid, transferSyntaxUid: raw.transferSyntaxUid });
    return { bytes: Buffer.concat([meta, raw.dataset]), conversion: { kind: 'no-meta', fromTransferSyntaxUid: '', toTransferSyntaxUid: raw.transferSyntaxUid } };
  }
  const head = await readRange(source, 0, need.datasetStart);
  const meta = metaWithTransferSyntax(head.subarray(META_START), EXPLICIT_VR_LITTLE_ENDIAN);
  const conversion = { kind: need.kind, fromTransferSyntaxUid: need.transferSyntaxUid, toTransferSyntaxUid: EXPLICIT_VR_LITTLE_ENDIAN };
  const prefix = head.subarray(0, META_START);
  if (need.kind === 'deflated') {
    const dataset = await inflateDataset(source, need.datasetStart, fileSize, maxBytes);
    return { bytes: Buffer.concat([prefix, meta, dataset]), conversion };
  }
  // Big endian: the dataset keeps its size, so it is read straight into the output and swapped there.
  const datasetAt = META_START + meta.length;
  const size = datasetAt + fileSize - need.datasetStart;
  if (size > maxBytes) throw tooLarge(size);
  const bytes = Buffer.alloc(size);
  prefix.copy(bytes, 0);
  meta.copy(bytes, META_START);
  await readInto(source, bytes, datasetAt, need.datasetStart, fileSize);
  bigEndianToLittleEndian(bytes, datasetAt);
  return { bytes, conversion };
}

function inputName(need: ConversionNeeded): string {
  return need.kind === 'no-meta' ? 'File Meta-less' : need.kind === 'big-endian' ? 'Explicit VR Big Endian' : 'deflated';
}

/** The File Meta elements (explicit VR LE) with (0002,0010) replaced and (0002,0000) recomputed. */
function metaWithTransferSyntax(meta: Buffer, transferSyntaxUid: string): Buffer {
  const view = { bytes: meta, base: 0 };
  const parts: Buffer[] = [];
  for (let pos = 0; pos < meta.length; ) {
    const h = readElementHeader(view, pos, true);
    const end = elementEnd(view, h, true);
    if (h.tag === TAG.TransferSyntaxUID) parts.push(encodeElement(h.tag, 'UI', uid(transferSyntaxUid), true));
    else if (h.tag !== TAG.FileMetaInformationGroupLength) parts.push(meta.subarray(pos, end));
    pos = end;
  }
  const body = Buffer.concat(parts);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(body.length, 0);
  return Buffer.concat([encodeElement(TAG.FileMetaInformationGroupLength, 'UL', length, true), body]);
}

async function readRange(source: ByteSource, from: number, to: number): Promise<Buffer> {
  const bytes = Buffer.alloc(to - from);
  await readInto(source, bytes, 0, from, to);
  return bytes;
}

async function readInto(source: ByteSource, target: Buffer, at: number, from: number, to: number): Promise<void> {
  for (let pos = from; pos < to; ) {
    const { bytesRead } = await source.read(target, at + pos - from, to - pos, pos);
    if (bytesRead === 0) throw new DicomReadError('TRUNCATED', `the file shrank while being read (at byte ${pos})`);
    pos += bytesRead;
  }
}
