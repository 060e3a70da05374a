/**
 * A top-level sequence element opened up into items and elements so that values at any depth can be read and
 * edited. Every node keeps the bytes it was read from; encoding copies those bytes for every node that was not
 * changed, and re-encodes only the changed nodes and the lengths that enclose them (item lengths, defined
 * sequence lengths, group lengths inside changed items). Undefined lengths stay undefined, defined stay defined.
 */
import { lookupTag } from './dictionary';
import { DicomEditError, DicomReadError } from './errors';
import { NeedBytes, UNDEFINED_LENGTH, elementEnd, readElementHeader, type ByteView } from './element-walker';
import { encodeHeader, encodeItem } from './element-encoder';
import { TAG, formatTag, isGroupLength, tagGroup } from './tags';
import { DEFAULT_REPERTOIRE_CODEC, textCodecFor, type TextCodec } from './text-codec';
import { decodeValue, encodeValue } from './value-codec';

/** One element inside a sequence tree (or the top-level sequence element itself). */
export interface TreeElement {
  readonly tag: number;
  /** The VR written in the header ('' for implicit VR). */
  readonly headerVr: string;
  /** The VR used to read and write the value: the header's, else the dictionary's, else 'UN'. */
  vr: string;
  /** True when the header is written with explicit VR. */
  readonly explicitVr: boolean;
  /** The whole element as read (header, value, delimiters); undefined for new elements. */
  readonly raw: Buffer | undefined;
  /** The value bytes as read, without delimiters; for sequences, unused. */
  readonly value: Buffer;
  /** A new value, encoded when written (so a later change of the item's character set applies to it). */
  pending?: string;
  /** The items, when the element is a sequence. */
  items?: TreeItem[];
  readonly undefinedLength: boolean;
  /** True when the element (or anything below it) changed. */
  dirty: boolean;
}

/** One item of a sequence. */
export interface TreeItem {
  /** Elements in file order. */
  elements: TreeElement[];
  /** Item header, body and delimiter as read; undefined for items created here (none yet). */
  readonly raw: Buffer | undefined;
  readonly undefinedLength: boolean;
  /** True when the contents of the item (or below) changed. */
  dirty: boolean;
  /** Groups whose elements were added, removed or changed directly in this item (their group lengths are redone). */
  readonly changedGroups: Set<number>;
  /** Whether the item's elements are encoded with explicit VR. */
  readonly explicitVr: boolean;
}

const MAX_DEPTH = 64;

function fail(where: string, why: string): DicomReadError {
  return new DicomReadError('BAD_LENGTH', `${where}: ${why}`);
}

/**
 * Whether an element with this header holds items: 'yes', 'no', or 'maybe' (try to parse items; a value that does
 * not parse is an opaque value, not an error).
 */
function holdsItems(view: ByteView, tag: number, headerVr: string, explicitVr: boolean, length: number, valueOffset: number): 'yes' | 'no' | 'maybe' {
  if (tag === TAG.PixelData) return 'no';
  if (explicitVr && headerVr === 'SQ') return 'yes';
  if (explicitVr && headerVr !== 'UN') return 'no';
  // Implicit VR or UN: undefined length means a sequence (PS3.5 §6.2.2).
  if (length === UNDEFINED_LENGTH) return 'yes';
  const known = lookupTag(tag);
  if (known !== undefined) return known.vr === 'SQ' ? 'maybe' : 'no';
  // An unknown (private) tag with a defined length is a sequence when its value is made of items, e.g. a private
  // sequence in implicit VR whose VR only the vendor's dictionary knows. PHI can hide there, so we look.
  const at = valueOffset - view.base;
  return length >= 8 && at + 4 <= view.bytes.length && view.bytes.readUInt32LE(at) === 0xe000fffe ? 'maybe' : 'no';
}

/** Parses one element at `pos` of `view`; returns it and the offset past it. */
function parseElement(view: ByteView, pos: number, explicitVr: boolean, depth: number): { element: TreeElement; end: number } {
  const h = readElementHeader(view, pos, explicitVr);
  const end = elementEnd(view, h, explicitVr, depth);
  const raw = view.bytes.subarray(pos - view.base, end - view.base);
  const info = lookupTag(h.tag);
  const headerVr = explicitVr ? h.vr : '';
  const vr = explicitVr && h.vr !== 'UN' ? h.vr : (info?.vr ?? 'UN');
  const undefinedLength = h.length === UNDEFINED_LENGTH;
  const valueEnd = undefinedLength ? end - 8 : end;
  const element: TreeElement = {
    tag: h.tag,
    headerVr,
    vr,
    explicitVr,
    raw,
    value: view.bytes.subarray(h.valueOffset - view.base, valueEnd - view.base),
    undefinedLength,
    dirty: false,
  };
  const kind = holdsItems(view, h.tag, headerVr, explicitVr, h.length, h.valueOffset);
  if (kind !== 'no') {
    // A sequence written as UN holds implicit VR LE items whatever the transfer syntax (PS3.5 §6.2.2).
    const itemsExplicit = explicitVr && headerVr === 'SQ';
    const lenient = kind === 'maybe';
    const items = parseItems(view, h.valueOffset, undefinedLength ? undefined : end, itemsExplicit, depth + 1, h.tag, lenient);
    if (items !== undefined) {
      element.items = items;
      element.vr = 'SQ';
    }
  }
  return { element, end };
}

/**
 * The items of a sequence value from `pos` to `end` (or to its delimiter). Returns undefined for a defined-length
 * UN value that does not parse as items: it is then an opaque value, not a sequence.
 */
function parseItems(
  view: ByteView,
  pos: number,
  end: number | undefined,
  explicitVr: boolean,
  depth: number,
  tag: number,
  lenient: boolean,
): TreeItem[] | undefined {
  if (depth > MAX_DEPTH) throw fail(`sequence ${formatTag(tag)}`, `sequences nest deeper than ${MAX_DEPTH} levels`);
  const items: TreeItem[] = [];
  try {
    for (;;) {
      if (end !== undefined && pos >= end) break;
      const h = readElementHeader(view, pos, false);
      if (h.tag === TAG.SequenceDelimitationItem) {
        if (end === undefined) break;
        throw fail(`sequence ${formatTag(tag)}`, 'a sequence delimiter inside a defined-length sequence');
      }
      if (h.tag !== TAG.Item) throw fail(`sequence ${formatTag(tag)}`, `expected an item at byte ${pos}, found ${formatTag(h.tag)}`);
      const item: TreeItem = { elements: [], raw: undefined, undefinedLength: h.length === UNDEFINED_LENGTH, dirty: false, changedGroups: new Set(), explicitVr };
      let at = h.valueOffset;
      const itemLimit = item.undefinedLength ? undefined : h.valueOffset + h.length;
      for (;;) {
        if (itemLimit !== undefined && at >= itemLimit) break;
        const eh = readElementHeader(view, at, explicitVr);
        if (eh.tag === TAG.ItemDelimitationItem) {
          if (itemLimit !== undefined) throw fail(`sequence ${formatTag(tag)}`, 'an item delimiter inside a defined-length item');
          at = eh.valueOffset;
          break;
        }
        if (tagGroup(eh.tag) === 0xfffe) throw fail(`sequence ${formatTag(tag)}`, `unexpected ${formatTag(eh.tag)} inside an item at byte ${at}`);
        const parsed = parseElement(view, at, explicitVr, depth);
        item.elements.push(parsed.element);
        at = parsed.end;
      }
      if (itemLimit !== undefined && at !== itemLimit) throw fail(`sequence ${formatTag(tag)}`, `an item's elements overrun its length at byte ${at}`);
      (item as { raw: Buffer | undefined }).raw = view.bytes.subarray(pos - view.base, at - view.base);
      items.push(item);
      pos = at;
    }
    if (end !== undefined && pos !== end) throw fail(`sequence ${formatTag(tag)}`, 'its items overrun its length');
  } catch (e) {
    // A defined-length UN (or implicit VR) value that is not made of items is an ordinary opaque value.
    if (lenient && (e instanceof DicomReadError || e instanceof NeedBytes)) return undefined;
    if (e instanceof NeedBytes) throw fail(`sequence ${formatTag(tag)}`, `an item runs past the end of the sequence (byte ${e.upTo})`);
    throw e;
  }
  return items;
}

/** Opens an encoded top-level element (header included) as a tree; `explicitVr` is how its header is encoded. */
export function parseSequenceElement(bytes: Buffer, explicitVr: boolean): TreeElement {
  const view: ByteView = { bytes, base: 0 };
  let parsed: { element: TreeElement; end: number };
  try {
    parsed = parseElement(view, 0, explicitVr, 0);
  } catch (e) {
    if (e instanceof NeedBytes) throw fail('a sequence', `an element runs past the end of its sequence (byte ${e.upTo})`);
    throw e;
  }
  const { element, end } = parsed;
  if (end !== bytes.length) throw fail(`element ${formatTag(element.tag)}`, 'its length does not match its bytes');
  return element;
}

/** The character set an item uses: its own (0008,0005) when it has one, else its parent's. */
export function itemCodec(item: TreeItem, parent: TextCodec): TextCodec {
  const cs = item.elements.find((e) => e.tag === TAG.SpecificCharacterSet);
  if (cs === undefined) return parent;
  return textCodecFor(cs.pending ?? decodeValue('CS', cs.value, DEFAULT_REPERTOIRE_CODEC));
}

/** Value bytes for a string: text VRs validated and padded; UN (unknown private VR) as padded text bytes. */
export function encodeTreeValue(vr: string, value: string, codec: TextCodec): Buffer {
  if (vr === 'UN') {
    const bytes = codec.encode(value);
    return bytes.length % 2 === 0 ? bytes : Buffer.concat([bytes, Buffer.from([0x20])]);
  }
  return encodeValue(vr, value, codec);
}

/** The string value of a tree element: '' for sequences and binary values. */
export function readTreeValue(element: TreeElement, codec: TextCodec): string {
  if (element.items !== undefined) return '';
  if (element.pending !== undefined) return element.vr === 'UN' ? element.pending : decodeValue(element.vr, encodeTreeValue(element.vr, element.pending, codec), codec);
  return decodeValue(element.vr, element.value, codec);
}

/** A new element for an item: explicit or implicit as the item is. */
export function newTreeElement(tag: number, vr: string, value: string, explicitVr: boolean): TreeElement {
  return { tag, headerVr: explicitVr ? vr : '', vr, explicitVr, raw: undefined, value: Buffer.alloc(0), pending: value, undefinedLength: false, dirty: true };
}

/** A new, empty sequence element; its items use explicit VR when `explicitVr` (an SQ header), as PS3.5 §7.5 says. */
export function newTreeSequence(tag: number, explicitVr: boolean): TreeElement {
  return { tag, headerVr: explicitVr ? 'SQ' : '', vr: 'SQ', explicitVr, raw: undefined, value: Buffer.alloc(0), items: [], undefinedLength: false, dirty: true };
}

/** A new, empty item (defined length). */
export function newTreeItem(explicitVr: boolean): TreeItem {
  return { elements: [], raw: undefined, undefinedLength: false, dirty: true, changedGroups: new Set(), explicitVr };
}

/** Whether the items of a sequence element are encoded with explicit VR: only under an explicit SQ header. */
export function itemsExplicitVr(element: TreeElement): boolean {
  return element.explicitVr && element.headerVr === 'SQ';
}

/** Encodes an element: its original bytes when unchanged, else a header with the new length and the new value. */
export function encodeTreeElement(element: TreeElement, codec: TextCodec): Buffer {
  if (!element.dirty && element.raw !== undefined) return element.raw;
  if (element.items !== undefined) {
    const body = Buffer.concat(element.items.map((item) => encodeTreeItem(item, codec)));
    const vr = element.explicitVr ? element.headerVr : 'SQ';
    if (element.undefinedLength) {
      const delimiter = Buffer.alloc(8);
      delimiter.writeUInt32LE(0xe0ddfffe, 0);
      return Buffer.concat([encodeHeader(element.tag, vr, UNDEFINED_LENGTH, element.explicitVr), body, delimiter]);
    }
    return Buffer.concat([encodeHeader(element.tag, vr, body.length, element.explicitVr), body]);
  }
  if (element.pending === undefined) {
    throw new DicomEditError('NOT_EDITABLE', `${formatTag(element.tag)} changed without a new value`);
  }
  const value = encodeTreeValue(element.vr, element.pending, codec);
  return Buffer.concat([encodeHeader(element.tag, element.explicitVr ? element.headerVr : element.vr, value.length, element.explicitVr), value]);
}

/** Encodes an item: its original bytes when unchanged; else new lengths, group lengths redone for changed groups. */
export function encodeTreeItem(item: TreeItem, parentCodec: TextCodec): Buffer {
  if (!item.dirty && item.raw !== undefined) return item.raw;
  const codec = itemCodec(item, parentCodec);
  const encoded = item.elements.map((e) => ({ element: e, bytes: encodeTreeElement(e, codec) }));
  for (const entry of encoded) {
    const { element } = entry;
    const group = tagGroup(element.tag);
    if (!isGroupLength(element.tag) || !item.changedGroups.has(group) || element.value.length !== 4 || element.raw === undefined) continue;
    const length = encoded.filter((o) => tagGroup(o.element.tag) === group && o !== entry).reduce((sum, o) => sum + o.bytes.length, 0);
    const updated = Buffer.from(element.raw);
    updated.writeUInt32LE(length, element.raw.length - 4);
    entry.bytes = updated;
  }
  return encodeItem(Buffer.concat(encoded.map((o) => o.bytes)), item.undefinedLength);
}
