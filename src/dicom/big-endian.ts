/**
 * Explicit VR Big Endian (retired, PS3.5 Annex A.3, still found in archives) converted to Explicit VR Little Endian
 * in place. Both encodings have the same layout and lengths, so only byte order changes: tags and lengths always,
 * values by VR (US/SS/OW/AT in 16-bit units, UL/SL/FL/OF/OL in 32-bit, FD/OD/OV/SV/UV in 64-bit); text, OB and UN
 * values are byte strings and stay as they are. Native Pixel Data written as OW with 32 or 64 Bits Allocated is
 * swapped per pixel cell, which is how pydicom reads it and what the little endian originals of the pydicom corpus
 * hold (docs/profile.md, "Transfer syntaxes"). Anything the conversion cannot do exactly is refused.
 */
import { DicomReadError } from './errors';
import { UNDEFINED_LENGTH } from './element-walker';
import { TAG, formatTag, makeTag } from './tags';
import { KNOWN_VRS, hasLongHeader } from './vr';

// Byte size of the units a value of each VR is made of; VRs not listed are byte strings.
const SWAP_UNIT: Readonly<Record<string, 2 | 4 | 8>> = {
  US: 2, SS: 2, OW: 2, AT: 2, UL: 4, SL: 4, FL: 4, OF: 4, OL: 4, FD: 8, OD: 8, OV: 8, SV: 8, UV: 8,
};
const BITS_ALLOCATED = 0x00280100;
// Hostile files can nest items without end; the LE walker stops at the same depth.
const MAX_NESTING = 64;

interface Conversion {
  readonly bytes: Buffer;
  /** Bits Allocated (0028,0100) of the top-level dataset, once read: the pixel cell size of native Pixel Data. */
  bitsAllocated?: number;
}

/**
 * Converts the Explicit VR Big Endian dataset in `bytes[start, end)` to Explicit VR Little Endian, in place.
 * Throws DicomReadError (BAD_VR, BAD_LENGTH, TRUNCATED) for input it cannot convert exactly; `bytes` is then
 * partly converted and must be discarded.
 */
export function bigEndianToLittleEndian(bytes: Buffer, start = 0, end = bytes.length): void {
  const pos = convertElements({ bytes }, start, end, false, 0);
  if (pos !== end) throw new DicomReadError('BAD_LENGTH', `the big endian dataset ends at byte ${pos}, before the end of the data (${end})`);
}

/** Converts elements from `pos` to `limit`, or to the item delimiter when `delimited`; returns where they end. */
function convertElements(c: Conversion, pos: number, limit: number, delimited: boolean, depth: number): number {
  while (pos < limit) {
    const h = convertHeader(c.bytes, pos, limit);
    if (h.tag === TAG.ItemDelimitationItem && delimited) return h.valueOffset;
    if (h.tag >>> 16 === 0xfffe) throw new DicomReadError('BAD_LENGTH', `unexpected ${formatTag(h.tag)} at byte ${pos} of the big endian dataset`);
    if (h.length === UNDEFINED_LENGTH) {
      if (h.vr !== 'SQ') {
        // Encapsulated pixel data does not exist in this transfer syntax; a UN sequence would be implicit VR LE inside.
        throw new DicomReadError('BAD_LENGTH', `element ${formatTag(h.tag)} (${h.vr}) at byte ${pos} has an undefined length, which a big endian file cannot convert exactly`);
      }
      pos = convertItems(c, h.valueOffset, limit, true, depth + 1);
      continue;
    }
    const end = h.valueOffset + h.length;
    if (end > limit) throw new DicomReadError('TRUNCATED', `element ${formatTag(h.tag)} at byte ${pos} declares ${h.length} value bytes, beyond the end of its container (byte ${limit})`);
    if (h.vr === 'SQ') convertItems(c, h.valueOffset, end, false, depth + 1);
    else convertValue(c, h.tag, h.vr, h.valueOffset, h.length, depth);
    pos = end;
  }
  if (delimited) throw new DicomReadError('TRUNCATED', `an undefined-length item has no item delimiter before byte ${limit}`);
  return pos;
}

/** Converts the items of a sequence value from `pos` to `limit`, or to its delimiter when `delimited`. */
function convertItems(c: Conversion, pos: number, limit: number, delimited: boolean, depth: number): number {
  if (depth > MAX_NESTING) throw new DicomReadError('BAD_LENGTH', `sequences nest deeper than ${MAX_NESTING} levels at byte ${pos}`);
  while (pos < limit) {
    const h = convertHeader(c.bytes, pos, limit);
    if (h.tag === TAG.SequenceDelimitationItem && delimited) return h.valueOffset;
    if (h.tag !== TAG.Item) throw new DicomReadError('BAD_LENGTH', `expected an item at byte ${pos}, found ${formatTag(h.tag)}`);
    if (h.length === UNDEFINED_LENGTH) {
      pos = convertElements(c, h.valueOffset, limit, true, depth);
      continue;
    }
    const end = h.valueOffset + h.length;
    if (end > limit) throw new DicomReadError('TRUNCATED', `the item at byte ${pos} declares ${h.length} bytes, beyond the end of its sequence (byte ${limit})`);
    convertElements(c, h.valueOffset, end, false, depth);
    pos = end;
  }
  if (delimited) throw new DicomReadError('TRUNCATED', `an undefined-length sequence has no sequence delimiter before byte ${limit}`);
  return pos;
}

/** Reads a big endian element or item header at `pos`, rewrites it little endian and returns it. */
function convertHeader(b: Buffer, pos: number, limit: number): { tag: number; vr: string; valueOffset: number; length: number } {
  if (pos + 8 > limit) throw new DicomReadError('TRUNCATED', `the element header at byte ${pos} runs past byte ${limit}`);
  const tag = makeTag(b.readUInt16BE(pos), b.readUInt16BE(pos + 2));
  b.writeUInt16LE(tag >>> 16, pos);
  b.writeUInt16LE(tag & 0xffff, pos + 2);
  if (tag >>> 16 === 0xfffe) {
    const length = b.readUInt32BE(pos + 4);
    b.writeUInt32LE(length, pos + 4);
    return { tag, vr: '', valueOffset: pos + 8, length };
  }
  const vr = b.toString('latin1', pos + 4, pos + 6);
  if (!KNOWN_VRS.has(vr)) throw new DicomReadError('BAD_VR', `element ${formatTag(tag)} at byte ${pos} has an invalid VR (bytes 0x${b.readUInt16BE(pos + 4).toString(16).padStart(4, '0')})`);
  if (!hasLongHeader(vr)) {
    const length = b.readUInt16BE(pos + 6);
    b.writeUInt16LE(length, pos + 6);
    return { tag, vr, valueOffset: pos + 8, length };
  }
  if (pos + 12 > limit) throw new DicomReadError('TRUNCATED', `the element header at byte ${pos} runs past byte ${limit}`);
  const length = b.readUInt32BE(pos + 8);
  b.writeUInt32LE(length, pos + 8);
  return { tag, vr, valueOffset: pos + 12, length };
}

/** Swaps a value's bytes by the units its VR is made of. */
function convertValue(c: Conversion, tag: number, vr: string, offset: number, length: number, depth: number): void {
  let unit: number | undefined = SWAP_UNIT[vr];
  if (unit === undefined) return;
  if (tag === TAG.PixelData && vr === 'OW' && depth === 0 && (c.bitsAllocated === 32 || c.bitsAllocated === 64)) unit = c.bitsAllocated / 8;
  if (length % unit !== 0) throw new DicomReadError('BAD_LENGTH', `element ${formatTag(tag)} (${vr}) at byte ${offset} has ${length} value bytes, not a multiple of ${unit}`);
  const value = c.bytes.subarray(offset, offset + length);
  if (unit === 2) value.swap16();
  else if (unit === 4) value.swap32();
  else value.swap64();
  if (tag === BITS_ALLOCATED && depth === 0 && length === 2) c.bitsAllocated = value.readUInt16LE(0);
}
