/**
 * Synthetic DICOM Part 10 files for tests and the demo: a small CT-like instance built from a simple description.
 * Values are made up; nothing here comes from a real patient. It has its own tiny element writer so that tests of
 * the editor do not check the editor against itself.
 */
import { randomBytes } from 'node:crypto';
import { lookupTag, tagForKeyword } from './dictionary';

/** A sequence to build: its items, with defined (default) or undefined lengths for the sequence and its items. */
export interface SyntheticSequence {
  readonly undefinedLength?: boolean;
  readonly items: readonly SyntheticItem[];
}
/** One item: elements by "(GGGG,EEEE)" or keyword; strings are values, objects are nested sequences. */
export type SyntheticItem = Readonly<Record<string, string | SyntheticSequence>>;

/** What to put in a synthetic file; everything is optional. */
export interface SyntheticDicomOptions {
  /** Dataset encoding (the meta group is always explicit VR LE); default 'explicit'. */
  readonly transferSyntax?: 'explicit' | 'implicit';
  /** Top-level elements by keyword, "(GGGG,EEEE)" or "GGGGEEEE"; a value of null removes a default element. */
  readonly elements?: Readonly<Record<string, string | null>>;
  /** Image size; default 4 × 4. */
  readonly rows?: number;
  readonly columns?: number;
  /** Pixel data length in bytes (even); default rows × columns × 2 (16-bit). */
  readonly pixelDataBytes?: number;
  /** Adds Referenced Image Sequence (0008,1140) with one defined-length item. */
  readonly nestedSequence?: boolean;
  /** Adds Performed Protocol Code Sequence (0040,0260) with undefined lengths (sequence and item). */
  readonly undefinedLengthSequence?: boolean;
  /** Adds a private block: creator (0019,0010) and (0019,1001) with a value. */
  readonly privateBlock?: boolean;
  /** Existing Deidentification Method Code Sequence (0012,0064) items (their Code Values). */
  readonly deidentificationCodes?: readonly string[];
  /** Write (0012,0064) with undefined lengths instead of defined ones. */
  readonly deidentificationUndefinedLength?: boolean;
  /** More top-level sequences, nested to any depth (private tags in them are written as LO). */
  readonly sequences?: Readonly<Record<string, SyntheticSequence>>;
}

const TS_EXPLICIT = '1.2.840.10008.1.2.1';
const TS_IMPLICIT = '1.2.840.10008.1.2';
const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
const UNDEFINED = 0xffffffff;
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

/** A fresh UID under the 2.25 (UUID-derived) root. */
export function syntheticUid(): string {
  return `2.25.${BigInt(`0x${randomBytes(16).toString('hex')}`).toString()}`;
}

function parseTagKey(key: string): number {
  const hex = /^\(?([0-9A-Fa-f]{4}),?([0-9A-Fa-f]{4})\)?$/.exec(key);
  if (hex !== null) return parseInt(`${hex[1]}${hex[2]}`, 16) >>> 0;
  const tag = tagForKeyword(key);
  if (tag === undefined) throw new Error(`unknown keyword ${key}`);
  return tag;
}

function vrOf(tag: number): string {
  if (((tag >>> 16) & 1) === 1) return 'LO';
  const vr = lookupTag(tag)?.vr;
  if (vr === undefined) throw new Error(`no VR for tag ${tag.toString(16)}`);
  return vr;
}

function valueBytes(vr: string, value: string, utf8: boolean): Buffer {
  const numbers = value === '' ? [] : value.split('\\');
  const fixed = (size: number, write: (b: Buffer, n: string, at: number) => void): Buffer => {
    const b = Buffer.alloc(numbers.length * size);
    numbers.forEach((n, i) => write(b, n, i * size));
    return b;
  };
  switch (vr) {
    case 'US': return fixed(2, (b, n, at) => b.writeUInt16LE(Number(n), at));
    case 'SS': return fixed(2, (b, n, at) => b.writeInt16LE(Number(n), at));
    case 'UL': return fixed(4, (b, n, at) => b.writeUInt32LE(Number(n), at));
    case 'SL': return fixed(4, (b, n, at) => b.writeInt32LE(Number(n), at));
    case 'FL': return fixed(4, (b, n, at) => b.writeFloatLE(Number(n), at));
    case 'FD': return fixed(8, (b, n, at) => b.writeDoubleLE(Number(n), at));
    case 'OB': return Buffer.from(value, 'latin1');
  }
  const text = Buffer.from(value, utf8 ? 'utf8' : 'latin1');
  return text.length % 2 === 0 ? text : Buffer.concat([text, Buffer.from([vr === 'UI' ? 0 : 0x20])]);
}

/** One element: header (explicit or implicit VR) and value; `length` overrides the length field (undefined length). */
function element(tag: number, vr: string, value: Buffer, explicit: boolean, length: number = value.length): Buffer {
  const long = LONG_VRS.has(vr);
  const header = Buffer.alloc(explicit && long ? 12 : 8);
  header.writeUInt16LE(tag >>> 16, 0);
  header.writeUInt16LE(tag & 0xffff, 2);
  if (!explicit) header.writeUInt32LE(length, 4);
  else {
    header.write(vr, 4, 'latin1');
    if (long) header.writeUInt32LE(length, 8);
    else header.writeUInt16LE(length, 6);
  }
  return Buffer.concat([header, value]);
}

function item(body: Buffer, undefinedLength: boolean): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32LE(0xe000fffe, 0);
  head.writeUInt32LE(undefinedLength ? UNDEFINED : body.length, 4);
  if (!undefinedLength) return Buffer.concat([head, body]);
  const end = Buffer.alloc(8);
  end.writeUInt32LE(0xe00dfffe, 0);
  return Buffer.concat([head, body, end]);
}

function sequence(tag: number, items: Buffer[], explicit: boolean, undefinedLength: boolean): Buffer {
  const body = Buffer.concat(items);
  if (!undefinedLength) return element(tag, 'SQ', body, explicit);
  const end = Buffer.alloc(8);
  end.writeUInt32LE(0xe0ddfffe, 0);
  return element(tag, 'SQ', Buffer.concat([body, end]), explicit, UNDEFINED);
}

function codeItem(codeValue: string, explicit: boolean, undefinedLength: boolean): Buffer {
  const text = (tag: number, vr: string, v: string): Buffer => element(tag, vr, valueBytes(vr, v, false), explicit);
  return item(
    Buffer.concat([text(0x00080100, 'SH', codeValue), text(0x00080102, 'SH', 'DCM'), text(0x00080104, 'LO', 'Synthetic code')]),
    undefinedLength,
  );
}

function syntheticSequence(tag: number, seq: SyntheticSequence, explicit: boolean): Buffer {
  const undefinedLength = seq.undefinedLength === true;
  const items = seq.items.map((content) => {
    // An item may declare its own character set (PS3.5 §6.1.2.5.3); only UTF-8 is written differently here.
    const utf8 = String(content['(0008,0005)'] ?? content.SpecificCharacterSet ?? '').includes('ISO_IR 192');
    const elements = Object.entries(content)
      .map(([key, value]) => {
        const t = parseTagKey(key);
        const bytes = typeof value === 'string' ? element(t, vrOf(t), valueBytes(vrOf(t), value, utf8), explicit) : syntheticSequence(t, value, explicit);
        return [t, bytes] as const;
      })
      .sort((a, b) => a[0] - b[0]);
    return item(Buffer.concat(elements.map(([, bytes]) => bytes)), undefinedLength);
  });
  return sequence(tag, items, explicit, undefinedLength);
}

/** The default top-level elements of a synthetic CT image (keyword → value). */
function defaults(rows: number, columns: number): Record<string, string> {
  const study = syntheticUid();
  return {
    SpecificCharacterSet: 'ISO_IR 100',
    SOPClassUID: CT_IMAGE_STORAGE,
    SOPInstanceUID: syntheticUid(),
    StudyDate: '20240102',
    StudyTime: '101500',
    Modality: 'CT',
    PatientName: 'Doe^Jane',
    PatientID: 'PID0001',
    PatientBirthDate: '19800101',
    PatientSex: 'F',
    StudyInstanceUID: study,
    SeriesInstanceUID: `${study}.1`,
    StudyID: '1',
    SeriesNumber: '1',
    InstanceNumber: '1',
    SamplesPerPixel: '1',
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: String(rows),
    Columns: String(columns),
    BitsAllocated: '16',
    BitsStored: '16',
    HighBit: '15',
    PixelRepresentation: '0',
  };
}

/**
 * The bytes of a synthetic file up to and including the Pixel Data element header; the caller appends
 * `pixelDataBytes` bytes of pixel data (so very large files can be streamed to disk).
 */
export function buildDicomPrefix(options: SyntheticDicomOptions = {}): { prefix: Buffer; pixelDataBytes: number } {
  const explicit = options.transferSyntax !== 'implicit';
  const rows = options.rows ?? 4;
  const columns = options.columns ?? 4;
  const pixelDataBytes = options.pixelDataBytes ?? rows * columns * 2;
  const values = new Map<number, string>();
  for (const [key, value] of Object.entries(defaults(rows, columns))) values.set(parseTagKey(key), value);
  for (const [key, value] of Object.entries(options.elements ?? {})) {
    if (value === null) values.delete(parseTagKey(key));
    else values.set(parseTagKey(key), value);
  }
  const utf8 = (values.get(0x00080005) ?? '').includes('ISO_IR 192');

  const encoded = new Map<number, Buffer>();
  for (const [tag, value] of values) encoded.set(tag, element(tag, vrOf(tag), valueBytes(vrOf(tag), value, utf8), explicit));
  if (options.nestedSequence) {
    const body = Buffer.concat([
      element(0x00081150, 'UI', valueBytes('UI', CT_IMAGE_STORAGE, false), explicit),
      element(0x00081155, 'UI', valueBytes('UI', syntheticUid(), false), explicit),
    ]);
    encoded.set(0x00081140, sequence(0x00081140, [item(body, false)], explicit, false));
  }
  if (options.undefinedLengthSequence) encoded.set(0x00400260, sequence(0x00400260, [codeItem('SYN01', explicit, true)], explicit, true));
  if (options.deidentificationCodes !== undefined) {
    const undefinedLength = options.deidentificationUndefinedLength === true;
    const items = options.deidentificationCodes.map((c) => codeItem(c, explicit, undefinedLength));
    encoded.set(0x00120064, sequence(0x00120064, items, explicit, undefinedLength));
  }
  if (options.privateBlock) {
    encoded.set(0x00190010, element(0x00190010, 'LO', valueBytes('LO', 'SYNTHETIC CREATOR', false), explicit));
    encoded.set(0x00191001, element(0x00191001, 'LO', valueBytes('LO', 'private synthetic value', false), explicit));
  }
  for (const [key, seq] of Object.entries(options.sequences ?? {})) encoded.set(parseTagKey(key), syntheticSequence(parseTagKey(key), seq, explicit));
  const dataset = Buffer.concat([...encoded.entries()].sort((a, b) => a[0] - b[0]).map(([, bytes]) => bytes));
  const pixelHeader = element(0x7fe00010, 'OW', Buffer.alloc(0), explicit, pixelDataBytes);

  const sopClass = values.get(0x00080016) ?? CT_IMAGE_STORAGE;
  const sopInstance = values.get(0x00080018) ?? syntheticUid();
  const metaBody = Buffer.concat([
    element(0x00020001, 'OB', Buffer.from([0, 1]), true),
    element(0x00020002, 'UI', valueBytes('UI', sopClass, false), true),
    element(0x00020003, 'UI', valueBytes('UI', sopInstance, false), true),
    element(0x00020010, 'UI', valueBytes('UI', explicit ? TS_EXPLICIT : TS_IMPLICIT, false), true),
    element(0x00020012, 'UI', valueBytes('UI', '2.25.1234567890', false), true),
    element(0x00020013, 'SH', valueBytes('SH', 'SYNTH_DICOM_1', false), true),
  ]);
  const groupLength = Buffer.alloc(4);
  groupLength.writeUInt32LE(metaBody.length, 0);
  const meta = Buffer.concat([element(0x00020000, 'UL', groupLength, true), metaBody]);
  const prefix = Buffer.concat([Buffer.alloc(128), Buffer.from('DICM', 'latin1'), meta, dataset, pixelHeader]);
  return { prefix, pixelDataBytes };
}

/** A complete synthetic Part 10 file; pixel bytes follow a simple ramp so that changes to them are detectable. */
export function buildDicom(options: SyntheticDicomOptions = {}): Buffer {
  const { prefix, pixelDataBytes } = buildDicomPrefix(options);
  const pixels = Buffer.alloc(pixelDataBytes);
  for (let i = 0; i < pixelDataBytes; i++) pixels[i] = (i * 7) & 0xff;
  return Buffer.concat([prefix, pixels]);
}
