/**
 * Recognises a dataset stored without File Meta (no preamble, no "DICM", no group 0002), as legacy systems wrote
 * them. The rule is conservative (docs/profile.md, "Files without File Meta"): the bytes are tried as Implicit VR
 * Little Endian, Explicit VR Little Endian and Explicit VR Big Endian, and accepted only when exactly one reading
 * starts with a group 0008 element, walks the whole file with strictly ascending top-level tags and no group 0002,
 * and holds a valid SOP Class UID and SOP Instance UID (from which the generated File Meta is made).
 */
import { bigEndianToLittleEndian } from './big-endian';
import { DicomReadError } from './errors';
import { UNDEFINED_LENGTH, elementEnd, readElementHeader, type ByteView } from './element-walker';
import { TAG } from './tags';

/** The encodings a raw dataset is tried in. */
export type RawDatasetEncoding = 'implicit-le' | 'explicit-le' | 'explicit-be';

/** A recognised raw dataset: its bytes in a little endian encoding, the transfer syntax they are in, its SOP UIDs. */
export interface RawDataset {
  readonly encoding: RawDatasetEncoding;
  /** The dataset in little endian (a big endian one is converted to Explicit VR Little Endian). */
  readonly dataset: Buffer;
  readonly transferSyntaxUid: string;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
}

const TRANSFER_SYNTAX: Readonly<Record<RawDatasetEncoding, string>> = {
  'implicit-le': '1.2.840.10008.1.2',
  'explicit-le': '1.2.840.10008.1.2.1',
  'explicit-be': '1.2.840.10008.1.2.1',
};
const UID = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))+$/;

/**
 * The one reading of `bytes` (the end of a file of `fileSize` bytes) as a raw dataset; throws NOT_DICOM when none,
 * or more than one, fits the rule.
 */
export function recogniseRawDataset(bytes: Buffer, fileSize = bytes.length): RawDataset {
  const fits: RawDataset[] = [];
  for (const encoding of ['implicit-le', 'explicit-le', 'explicit-be'] as const) {
    const found = tryReading(bytes, encoding);
    if (found !== undefined) fits.push(found);
  }
  if (fits.length === 1) return fits[0]!;
  if (fits.length === 0) throw unrecognisedRawDataset(fileSize);
  throw new DicomReadError('NOT_DICOM', `no File Meta, and the dataset reads in more than one transfer syntax (${fits.map((f) => f.encoding).join(', ')}); it is refused rather than guessed`);
}

/** True when the first bytes may start a raw dataset (a group 0008 tag in either byte order). */
export function mayStartRawDataset(first: Buffer): boolean {
  return first.length >= 8 && (first.readUInt16LE(0) === 0x0008 || first.readUInt16BE(0) === 0x0008);
}

/** The refusal of bytes (`fileSize` in all) that are neither a Part 10 file nor a recognisable raw dataset. */
export function unrecognisedRawDataset(fileSize: number): DicomReadError {
  const what = fileSize < 132 ? `the file is ${fileSize} bytes, too short for a DICOM preamble and "DICM" prefix` : 'no "DICM" prefix at byte 128 and no File Meta';
  return new DicomReadError(
    'NOT_DICOM',
    `${what}, and the bytes are not a recognisable dataset (a file without File Meta is accepted only when it starts with a group 0008 element, reads to its end in one transfer syntax and holds its SOP Class and Instance UIDs); re-export it as a DICOM Part 10 file`,
  );
}

function tryReading(bytes: Buffer, encoding: RawDatasetEncoding): RawDataset | undefined {
  if (bytes.length < 8) return undefined;
  const firstGroup = encoding === 'explicit-be' ? bytes.readUInt16BE(0) : bytes.readUInt16LE(0);
  if (firstGroup !== 0x0008) return undefined;
  let dataset = bytes;
  try {
    if (encoding === 'explicit-be') {
      dataset = Buffer.from(bytes);
      bigEndianToLittleEndian(dataset);
    }
    const uids = walkTopLevel({ bytes: dataset, base: 0 }, encoding !== 'implicit-le');
    if (uids === undefined) return undefined;
    return { encoding, dataset, transferSyntaxUid: TRANSFER_SYNTAX[encoding], ...uids };
  } catch {
    // Any failure to read in this encoding only means the bytes are not in it; the caller reports the outcome.
    return undefined;
  }
}

/** Walks the top level; the SOP UIDs when the walk fits the rule, else undefined. Throws on malformed bytes. */
function walkTopLevel(view: ByteView, explicitVr: boolean): { sopClassUid: string; sopInstanceUid: string } | undefined {
  let pos = 0;
  let previous = -1;
  let sopClassUid: string | undefined;
  let sopInstanceUid: string | undefined;
  while (pos < view.bytes.length) {
    const h = readElementHeader(view, pos, explicitVr);
    if (h.tag <= previous || h.tag >>> 16 === 0x0002 || h.tag >>> 16 === 0xfffe) return undefined;
    previous = h.tag;
    const end = elementEnd(view, h, explicitVr);
    if (h.length !== UNDEFINED_LENGTH && (h.tag === TAG.SOPClassUID || h.tag === TAG.SOPInstanceUID)) {
      const value = view.bytes.toString('latin1', h.valueOffset, end).replace(/[\0 ]+$/, '');
      if (!UID.test(value) || value.length > 64) return undefined;
      if (h.tag === TAG.SOPClassUID) sopClassUid = value;
      else sopInstanceUid = value;
    }
    pos = end;
  }
  if (pos !== view.bytes.length || sopClassUid === undefined || sopInstanceUid === undefined) return undefined;
  return { sopClassUid, sopInstanceUid };
}
