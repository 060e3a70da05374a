/**
 * Walks encoded elements in a buffer: reads element headers and finds where each element ends, stepping over
 * sequences (defined and undefined length, items, delimiters) and encapsulated pixel data without interpreting them.
 * Pure and synchronous; when the buffer is too short it throws {@link NeedBytes} so the caller can load more.
 */
import { DicomReadError } from './errors';
import { TAG, formatTag, makeTag } from './tags';
import { hasLongHeader, vrAt } from './vr';

/** The length value meaning "undefined length, ended by a delimiter". */
export const UNDEFINED_LENGTH = 0xffffffff;

// Hostile files can nest undefined-length items without end; past this depth we stop rather than overflow the stack.
const MAX_NESTING = 64;

/** Bytes of a file held in memory: bytes[0] is at absolute file offset `base`. */
export interface ByteView {
  readonly bytes: Buffer;
  readonly base: number;
}

/** Thrown when a walk needs bytes up to absolute offset `upTo`, beyond the end of the view. */
export class NeedBytes {
  constructor(readonly upTo: number) {}
}

/** One element header as found in the bytes. */
export interface ElementHeader {
  readonly tag: number;
  /** The VR written in the header, or '' when the encoding has none (implicit VR, items, delimiters). */
  readonly vr: string;
  /** Absolute offset of the first header byte. */
  readonly start: number;
  /** Absolute offset of the first value byte. */
  readonly valueOffset: number;
  /** The length field, possibly {@link UNDEFINED_LENGTH}. */
  readonly length: number;
}

function need(view: ByteView, absoluteEnd: number): void {
  if (absoluteEnd > view.base + view.bytes.length) throw new NeedBytes(absoluteEnd);
}

/** Reads the element header at absolute offset `pos`. */
export function readElementHeader(view: ByteView, pos: number, explicitVr: boolean): ElementHeader {
  need(view, pos + 8);
  const at = pos - view.base;
  const b = view.bytes;
  const tag = makeTag(b.readUInt16LE(at), b.readUInt16LE(at + 2));
  // Items and delimiters have no VR in either encoding (PS3.5 §7.5).
  if (!explicitVr || tag >>> 16 === 0xfffe) {
    return { tag, vr: '', start: pos, valueOffset: pos + 8, length: b.readUInt32LE(at + 4) };
  }
  const vr = vrAt(b, at + 4);
  if (vr === undefined) {
    throw new DicomReadError('BAD_VR', `element ${formatTag(tag)} at byte ${pos} has an invalid VR (bytes 0x${b.readUInt16BE(at + 4).toString(16).padStart(4, '0')})`);
  }
  if (!hasLongHeader(vr)) return { tag, vr, start: pos, valueOffset: pos + 8, length: b.readUInt16LE(at + 6) };
  need(view, pos + 12);
  return { tag, vr, start: pos, valueOffset: pos + 12, length: b.readUInt32LE(at + 8) };
}

/**
 * The absolute offset just past the element whose header is `h`. Defined lengths are trusted once they fit in the
 * view; undefined lengths are walked. `explicitVr` is the encoding the element was read in.
 */
export function elementEnd(view: ByteView, h: ElementHeader, explicitVr: boolean, depth = 0): number {
  if (h.length !== UNDEFINED_LENGTH) {
    if (h.length % 2 !== 0) {
      throw new DicomReadError('BAD_LENGTH', `element ${formatTag(h.tag)} at byte ${h.start} has an odd value length ${h.length}`);
    }
    const end = h.valueOffset + h.length;
    need(view, end);
    return end;
  }
  if (depth >= MAX_NESTING) {
    throw new DicomReadError('BAD_LENGTH', `sequences nest deeper than ${MAX_NESTING} levels at byte ${h.start}`);
  }
  if (!explicitVr) return sequenceEnd(view, h.valueOffset, false, depth + 1);
  switch (h.vr) {
    case 'SQ':
      return sequenceEnd(view, h.valueOffset, true, depth + 1);
    case 'UN':
      // An undefined-length UN holds a sequence encoded in implicit VR LE (PS3.5 §6.2.2).
      return sequenceEnd(view, h.valueOffset, false, depth + 1);
    case 'OB':
    case 'OW':
      // Encapsulated pixel data: fragments are items with defined lengths, closed by a sequence delimiter.
      return sequenceEnd(view, h.valueOffset, true, depth + 1);
    default:
      throw new DicomReadError('BAD_LENGTH', `element ${formatTag(h.tag)} (${h.vr}) at byte ${h.start} has an undefined length, which its VR does not allow`);
  }
}

/** Walks the items of an undefined-length sequence starting at `pos`; returns the offset past its delimiter. */
export function sequenceEnd(view: ByteView, pos: number, explicitVr: boolean, depth: number): number {
  for (;;) {
    const h = readElementHeader(view, pos, false);
    if (h.tag === TAG.SequenceDelimitationItem) return h.valueOffset;
    if (h.tag !== TAG.Item) {
      throw new DicomReadError('BAD_LENGTH', `expected an item or sequence delimiter at byte ${pos}, found ${formatTag(h.tag)}`);
    }
    pos = h.length === UNDEFINED_LENGTH ? itemEnd(view, h.valueOffset, explicitVr, depth) : elementEnd(view, h, false, depth);
  }
}

/** Walks the elements of an undefined-length item starting at `pos`; returns the offset past its delimiter. */
export function itemEnd(view: ByteView, pos: number, explicitVr: boolean, depth: number): number {
  for (;;) {
    const h = readElementHeader(view, pos, explicitVr);
    if (h.tag === TAG.ItemDelimitationItem) return h.valueOffset;
    if (h.tag === TAG.Item || h.tag === TAG.SequenceDelimitationItem) {
      throw new DicomReadError('BAD_LENGTH', `unexpected ${formatTag(h.tag)} inside an item at byte ${pos}`);
    }
    pos = elementEnd(view, h, explicitVr, depth);
  }
}
