/**
 * Code sequences such as Deidentification Method Code Sequence (0012,0064): appending an item while keeping the
 * existing items byte-for-byte, and reading the Code Values of the items.
 */
import { DicomReadError } from './errors';
import { UNDEFINED_LENGTH, elementEnd, readElementHeader, type ByteView } from './element-walker';
import { encodeElement, encodeHeader, encodeItem } from './element-encoder';
import { TAG, formatTag } from './tags';
import type { TextCodec } from './text-codec';
import { decodeValue, encodeValue } from './value-codec';

/** One coded entry (PS3.3 Table 8.8-1, Basic Code Sequence Macro). */
export interface CodeItem {
  readonly codeValue: string;
  readonly codingSchemeDesignator: string;
  readonly codingSchemeVersion?: string;
  readonly codeMeaning: string;
}

/** How the sequence element is encoded: `explicitVr` for its header, `itemsExplicitVr` for the item contents. */
export interface SequenceEncoding {
  readonly explicitVr: boolean;
  readonly itemsExplicitVr: boolean;
}

function itemBody(item: CodeItem, explicitVr: boolean, codec: TextCodec): Buffer {
  const parts: Array<[number, string, string | undefined]> = [
    [TAG.CodeValue, 'SH', item.codeValue],
    [TAG.CodingSchemeDesignator, 'SH', item.codingSchemeDesignator],
    [TAG.CodingSchemeVersion, 'SH', item.codingSchemeVersion],
    [TAG.CodeMeaning, 'LO', item.codeMeaning],
  ];
  return Buffer.concat(
    parts.filter((p) => p[2] !== undefined).map(([tag, vr, value]) => encodeElement(tag, vr, encodeValue(vr, value ?? '', codec), explicitVr)),
  );
}

/**
 * The sequence element `tag` with `item` appended. `existing` is the current encoded element (header, items,
 * delimiter) or undefined to create one. An undefined-length sequence gets an undefined-length item before its
 * delimiter; a defined-length one gets a defined-length item and a new length; a new one uses defined lengths.
 */
export function appendCodeItem(tag: number, existing: Buffer | undefined, encoding: SequenceEncoding, item: CodeItem, codec: TextCodec): Buffer {
  return appendSequenceItem(tag, existing, encoding, itemBody(item, encoding.itemsExplicitVr, codec));
}

/** The sequence element `tag` with one item of already-encoded elements appended (rules of appendCodeItem). */
export function appendSequenceItem(tag: number, existing: Buffer | undefined, encoding: SequenceEncoding, body: Buffer): Buffer {
  if (existing === undefined) {
    const value = encodeItem(body, false);
    return Buffer.concat([encodeHeader(tag, 'SQ', value.length, encoding.explicitVr), value]);
  }
  const view: ByteView = { bytes: existing, base: 0 };
  const header = readElementHeader(view, 0, encoding.explicitVr);
  if (header.length === UNDEFINED_LENGTH) {
    const value = encodeItem(body, true);
    const delimiterAt = existing.length - 8;
    return Buffer.concat([existing.subarray(0, delimiterAt), value, existing.subarray(delimiterAt)]);
  }
  const value = encodeItem(body, false);
  const out = Buffer.concat([existing, value]);
  out.writeUInt32LE(header.length + value.length, header.valueOffset - 4);
  return out;
}

/** The Code Value (0008,0100) of each item of an encoded sequence element, in order ('' when an item has none). */
export function readCodeValues(element: Buffer, encoding: SequenceEncoding, codec: TextCodec): string[] {
  const view: ByteView = { bytes: element, base: 0 };
  const header = readElementHeader(view, 0, encoding.explicitVr);
  const valueEnd = header.length === UNDEFINED_LENGTH ? element.length : header.valueOffset + header.length;
  const values: string[] = [];
  let pos = header.valueOffset;
  while (pos < valueEnd) {
    const item = readElementHeader(view, pos, false);
    if (item.tag === TAG.SequenceDelimitationItem) break;
    if (item.tag !== TAG.Item) throw new DicomReadError('BAD_LENGTH', `expected an item in ${formatTag(header.tag)} at byte ${pos}`);
    const itemEndAt = item.length === UNDEFINED_LENGTH ? Infinity : item.valueOffset + item.length;
    let codeValue = '';
    let at = item.valueOffset;
    while (at < itemEndAt) {
      const h = readElementHeader(view, at, encoding.itemsExplicitVr);
      if (h.tag === TAG.ItemDelimitationItem) {
        at = h.valueOffset;
        break;
      }
      const end = elementEnd(view, h, encoding.itemsExplicitVr, 1);
      if (h.tag === TAG.CodeValue) codeValue = decodeValue('SH', element.subarray(h.valueOffset, end), codec);
      at = end;
    }
    values.push(codeValue);
    pos = at;
  }
  return values;
}
