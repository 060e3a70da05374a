/**
 * Reads a DICOM Part 10 file into an index of its top-level elements (file meta group and dataset), with byte
 * offsets, without loading pixel data. The index is what the editor changes and the writer copies from.
 */
import { open } from 'node:fs/promises';
import { MemoryByteSource, type ByteSource, type FileOpener, type RandomAccessFile } from './byte-source';
import { ConversionNeeded, conversionFor, convertInput, type InputConversion } from './converted-input';
import { DicomReadError } from './errors';
import { NeedBytes, UNDEFINED_LENGTH, elementEnd, readElementHeader, type ByteView, type ElementHeader } from './element-walker';
import { FileSegment, SegmentLoader } from './file-segments';
import { lookupTag } from './dictionary';
import { PIXEL_DATA_TAGS, TAG, formatTag } from './tags';
import { datasetEncodingOf, type DatasetEncoding } from './transfer-syntax';

/** Limits for reading untrusted files. */
export interface ReadOptions {
  /** Most bytes of header (everything but pixel data and bulk values) held in memory; default 64 MiB. */
  readonly maxHeaderBytes?: number;
  /** Binary values (OB, OW, UN, ...) longer than this are left on disk like pixel data; default 1 MiB. */
  readonly bulkValueBytes?: number;
  /**
   * Most bytes a big endian, deflated or File Meta-less input may take once converted in memory (converted-input.ts);
   * default 256 MiB. Larger ones are refused (TOO_LARGE_TO_CONVERT).
   */
  readonly maxConvertedBytes?: number;
  /** How to open the file (default: a plain file); the writer reopens the input with it to copy from. */
  readonly open?: FileOpener;
}

/** Opens a plain file. */
export const openPlainFile: FileOpener = (path) => open(path, 'r');

/** An input converted on read: the converted Part 10 bytes (what the writer copies from) and what was done. */
export interface ConvertedInput {
  readonly source: MemoryByteSource;
  readonly conversion: InputConversion;
}

const DEFAULT_MAX_CONVERTED_BYTES = 256 * 1024 * 1024;

/** One top-level element of the file. */
export interface DicomElement {
  readonly tag: number;
  /** The VR from the header (explicit VR) or the dictionary (implicit VR; 'UN' when unknown). */
  readonly vr: string;
  /** True when the element is encoded with explicit VR (always so for group 0002). */
  readonly explicitVr: boolean;
  /** Absolute offset of the first header byte. */
  readonly start: number;
  /** Absolute offset of the first value byte. */
  readonly valueOffset: number;
  /** The length field as written; {@link UNDEFINED_LENGTH} for undefined length. */
  readonly lengthField: number;
  /** Absolute offset just past the element, delimiters included. */
  readonly end: number;
  /** False for pixel data and bulk values, which stay on disk. */
  readonly loaded: boolean;
}

const PREAMBLE_BYTES = 128;
const DATASET_START = PREAMBLE_BYTES + 4;
const BINARY_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'UN']);

/** The parsed layout of one file: what the editor edits and the writer copies from. */
export class DicomFileIndex {
  constructor(
    /** The file the index was read from. */
    readonly path: string,
    /** Its size and modification time when read, to detect a change before writing. */
    readonly fileSize: number,
    readonly mtimeMs: number,
    /** Transfer Syntax UID from (0002,0010), trimmed. */
    readonly transferSyntaxUid: string,
    readonly encoding: DatasetEncoding,
    /** Top-level elements in file order: the meta group first, then the dataset. */
    readonly elements: readonly DicomElement[],
    private readonly segments: readonly ByteView[],
    /** Set when the file was converted on read (big endian, deflated, no File Meta): offsets are into its bytes. */
    readonly converted?: ConvertedInput,
    /** How the file was opened (and is reopened to copy from). */
    readonly open: FileOpener = openPlainFile,
  ) {}

  /** Absolute offset where the file meta group starts (after preamble and "DICM"). */
  get metaStart(): number {
    return DATASET_START;
  }

  /** Bytes of the file held in memory. */
  get loadedBytes(): number {
    return this.segments.reduce((sum, s) => sum + s.bytes.length, 0);
  }

  /** The preamble and "DICM" prefix. */
  prefixBytes(): Buffer {
    return this.slice(0, DATASET_START) ?? Buffer.alloc(0);
  }

  /** The value bytes of a loaded element (delimiters of undefined-length values included); undefined if on disk. */
  valueBytes(element: DicomElement): Buffer | undefined {
    return element.loaded ? this.slice(element.valueOffset, element.end) : undefined;
  }

  /** The whole encoded element (header, value, delimiters) of a loaded element; undefined if on disk. */
  elementBytes(element: DicomElement): Buffer | undefined {
    return element.loaded ? this.slice(element.start, element.end) : undefined;
  }

  /** Bytes [from, to) of the file when they are held in memory (not left on disk), else undefined. */
  loadedRange(from: number, to: number): Buffer | undefined {
    return this.slice(from, to);
  }

  private slice(from: number, to: number): Buffer | undefined {
    for (const s of this.segments) {
      if (from >= s.base && to <= s.base + s.bytes.length) return s.bytes.subarray(from - s.base, to - s.base);
    }
    return undefined;
  }
}

/**
 * Positioned reads of one file's bytes: an open file (a FileHandle or a decrypting view of a sealed staging file), or
 * bytes already read (see memory-source.ts), whose `wholeBytes` lets segments be views instead of copies.
 */
export type DicomSource = RandomAccessFile;

/**
 * Reads the header of a Part 10 file; throws {@link DicomReadError} for anything we cannot edit losslessly. A big
 * endian, deflated or File Meta-less input is converted first (converted-input.ts); the index then says so.
 */
export async function readDicomFile(path: string, options: ReadOptions = {}): Promise<DicomFileIndex> {
  const file = await (options.open ?? openPlainFile)(path);
  try {
    return await readDicomSource(path, file, options);
  } finally {
    await file.close();
  }
}

/** Like {@link readDicomFile}, from a source the caller opened (and closes); `path` is what the index (and the writer) name. */
export async function readDicomSource(path: string, file: DicomSource, options: ReadOptions = {}): Promise<DicomFileIndex> {
  const stat = await file.stat();
  try {
    return await readOpenFile(path, file, stat.size, stat.mtimeMs, options);
  } catch (e) {
    if (!(e instanceof ConversionNeeded)) throw e;
    const { bytes, conversion } = await convertInput(file, stat.size, e, options.maxConvertedBytes ?? DEFAULT_MAX_CONVERTED_BYTES);
    const source = new MemoryByteSource(bytes);
    return await readOpenFile(path, source, bytes.length, stat.mtimeMs, options, { source, conversion });
  }
}

async function readOpenFile(path: string, file: ByteSource, fileSize: number, mtimeMs: number, options: ReadOptions, converted?: ConvertedInput): Promise<DicomFileIndex> {
  const loader = new SegmentLoader(file, fileSize, options.maxHeaderBytes ?? 64 * 1024 * 1024);
  const bulkValueBytes = options.bulkValueBytes ?? 1024 * 1024;
  // No preamble and "DICM": possibly a dataset without File Meta, which the adapter recognises or refuses.
  if (fileSize < DATASET_START) throw new ConversionNeeded('no-meta', 0);
  let segment = loader.open(0);
  await loader.growTo(segment, DATASET_START, 'the preamble');
  if (segment.bytes.toString('latin1', PREAMBLE_BYTES, DATASET_START) !== 'DICM') throw new ConversionNeeded('no-meta', 0);
  const segments: FileSegment[] = [];
  const elements: DicomElement[] = [];
  let pos = DATASET_START;

  // File meta group: always explicit VR LE, and it ends where group 0002 ends (the group length is not trusted).
  while (pos < fileSize) {
    if (pos + 2 > segment.end) await loader.growTo(segment, pos + 2, `the element at byte ${pos}`);
    if (segment.bytes.readUInt16LE(pos - segment.base) !== 0x0002) break;
    const at = pos;
    const element = tryWalk(() => loadedElementAt(segment, at, true)) ?? (await readLoadedElement(loader, segment, at, true));
    elements.push(element);
    pos = element.end;
  }
  if (elements.length === 0) throw new ConversionNeeded('no-meta', DATASET_START);
  const tsElement = elements.find((e) => e.tag === TAG.TransferSyntaxUID);
  const transferSyntaxUid = tsElement === undefined ? undefined : trimUid(segment.bytes.subarray(tsElement.valueOffset - segment.base, tsElement.end - segment.base));
  const conversion = conversionFor(transferSyntaxUid);
  if (conversion !== undefined) throw new ConversionNeeded(conversion, pos, transferSyntaxUid);
  const encoding = datasetEncodingOf(transferSyntaxUid);
  const explicitVr = encoding === 'explicit-le';

  while (pos < fileSize) {
    const at = pos;
    const header = tryWalk(() => readElementHeader(segment, at, explicitVr)) ?? (await withBytes(loader, segment, at, () => readElementHeader(segment, at, explicitVr)));
    if (header.tag >>> 16 === 0xfffe) {
      throw new DicomReadError('BAD_LENGTH', `unexpected ${formatTag(header.tag)} at the top level at byte ${pos}; a length before it is probably wrong`);
    }
    const vr = explicitVr ? header.vr : (lookupTag(header.tag)?.vr ?? 'UN');
    const isBulk =
      PIXEL_DATA_TAGS.has(header.tag) || (header.length !== UNDEFINED_LENGTH && header.length > bulkValueBytes && BINARY_VRS.has(vr));
    let element: DicomElement;
    if (isBulk && segment.end === fileSize) {
      // The rest of the file is already in memory (a small file is read whole at once): keep it, so that the
      // writer copies from memory instead of reading the file again. The value still counts as left on disk.
      const end = await bulkEnd(file, fileSize, header);
      element = { tag: header.tag, vr, explicitVr, start: pos, valueOffset: header.valueOffset, lengthField: header.length, end, loaded: false };
    } else if (isBulk) {
      // Leave the value on disk: the writer streams it. Bytes after it go to a new segment.
      segment.truncateAt(pos);
      segments.push(segment);
      const end = await bulkEnd(file, fileSize, header);
      element = { tag: header.tag, vr, explicitVr, start: pos, valueOffset: header.valueOffset, lengthField: header.length, end, loaded: false };
      segment = loader.open(end, segment);
    } else {
      // The header just read is reused: reading it a second time was a large part of parsing a small file.
      element = tryWalk(() => loadedElement(segment, header, vr, explicitVr)) ?? (await readLoadedElement(loader, segment, at, explicitVr));
    }
    elements.push(element);
    pos = element.end;
  }
  segments.push(segment);
  return new DicomFileIndex(path, fileSize, mtimeMs, transferSyntaxUid ?? '', encoding, elements, segments, converted, options.open);
}

/** The element at `pos`, whose bytes (and nested items) must be loaded already; throws NeedBytes otherwise. */
function loadedElementAt(segment: FileSegment, pos: number, explicitVr: boolean): DicomElement {
  const h = readElementHeader(segment, pos, explicitVr);
  return loadedElement(segment, h, explicitVr ? h.vr : (lookupTag(h.tag)?.vr ?? 'UN'), explicitVr);
}

/** The element whose header `h` (with VR `vr`) was read already; throws NeedBytes when its value is not loaded. */
function loadedElement(segment: FileSegment, h: ElementHeader, vr: string, explicitVr: boolean): DicomElement {
  const end = elementEnd(segment, h, explicitVr);
  return { tag: h.tag, vr, explicitVr, start: h.start, valueOffset: h.valueOffset, lengthField: h.length, end, loaded: true };
}

/** Reads one element at `pos` into `segment`, loading as many bytes as its value (and nested items) need. */
async function readLoadedElement(loader: SegmentLoader, segment: FileSegment, pos: number, explicitVr: boolean): Promise<DicomElement> {
  return tryWalk(() => loadedElementAt(segment, pos, explicitVr)) ?? withBytes(loader, segment, pos, () => loadedElementAt(segment, pos, explicitVr));
}

/**
 * Runs a synchronous walk over the bytes already loaded; undefined when it needs more. Most elements are already
 * in memory (a small file is read whole at once), and awaiting for each of them cost more than parsing it.
 */
function tryWalk<T extends object>(walk: () => T): T | undefined {
  try {
    return walk();
  } catch (e) {
    if (e instanceof NeedBytes) return undefined;
    throw e;
  }
}

/** Runs a synchronous walk, loading more of the segment each time it asks for bytes, until it completes. */
async function withBytes<T>(loader: SegmentLoader, segment: FileSegment, pos: number, walk: () => T): Promise<T> {
  for (;;) {
    try {
      return walk();
    } catch (e) {
      if (!(e instanceof NeedBytes)) throw e;
      await loader.growTo(segment, e.upTo, describeAt(segment, pos));
    }
  }
}

function describeAt(segment: FileSegment, pos: number): string {
  const at = pos - segment.base;
  if (at + 4 > segment.bytes.length) return `the element at byte ${pos}`;
  const tag = ((segment.bytes.readUInt16LE(at) << 16) | segment.bytes.readUInt16LE(at + 2)) >>> 0;
  return `element ${formatTag(tag)} at byte ${pos}`;
}

/** The end of a value left on disk; encapsulated fragments are walked with small positioned reads. */
async function bulkEnd(file: ByteSource, fileSize: number, h: ElementHeader): Promise<number> {
  const where = `element ${formatTag(h.tag)} at byte ${h.start}`;
  if (h.length !== UNDEFINED_LENGTH) {
    const end = h.valueOffset + h.length;
    if (end > fileSize) {
      throw new DicomReadError('TRUNCATED', `${where} declares ${h.length} value bytes but the file ends at byte ${fileSize}`);
    }
    if (h.length % 2 !== 0) throw new DicomReadError('BAD_LENGTH', `${where} has an odd value length ${h.length}`);
    return end;
  }
  const item = Buffer.alloc(8);
  let pos = h.valueOffset;
  for (;;) {
    if (pos + 8 > fileSize) throw new DicomReadError('TRUNCATED', `${where}: the file ends at byte ${fileSize} inside its fragments`);
    await file.read(item, 0, 8, pos);
    const tag = ((item.readUInt16LE(0) << 16) | item.readUInt16LE(2)) >>> 0;
    const length = item.readUInt32LE(4);
    if (tag === TAG.SequenceDelimitationItem) return pos + 8;
    if (tag !== TAG.Item || length === UNDEFINED_LENGTH || length % 2 !== 0) {
      throw new DicomReadError('BAD_LENGTH', `${where}: malformed fragment ${formatTag(tag)} at byte ${pos}`);
    }
    pos += 8 + length;
    if (pos > fileSize) throw new DicomReadError('TRUNCATED', `${where}: a fragment runs past the end of the file (${fileSize} bytes)`);
  }
}

/** Trims the padding of a UI value (trailing NULs and spaces). */
function trimUid(bytes: Buffer): string {
  return bytes.toString('latin1').replace(/[\0 ]+$/, '').trim();
}
