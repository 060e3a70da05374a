/** Encodes one element (header and value) in explicit or implicit VR little endian. */
import { DicomEditError } from './errors';
import { UNDEFINED_LENGTH } from './element-walker';
import { formatTag } from './tags';
import { hasLongHeader } from './vr';

/** Header bytes for an element with the given value length (may be {@link UNDEFINED_LENGTH} for SQ/UN/OB/OW). */
export function encodeHeader(tag: number, vr: string, length: number, explicitVr: boolean): Buffer {
  const long = !explicitVr || hasLongHeader(vr);
  if (explicitVr && !long && length > 0xffff) {
    throw new DicomEditError('INVALID_VALUE', `value of ${formatTag(tag)} is ${length} bytes, too long for VR ${vr} (at most 65534)`);
  }
  const header = Buffer.alloc(explicitVr && long ? 12 : 8);
  header.writeUInt16LE(tag >>> 16, 0);
  header.writeUInt16LE(tag & 0xffff, 2);
  if (!explicitVr) {
    header.writeUInt32LE(length, 4);
  } else if (long) {
    header.write(vr, 4, 'latin1');
    header.writeUInt32LE(length, 8);
  } else {
    header.write(vr, 4, 'latin1');
    header.writeUInt16LE(length, 6);
  }
  return header;
}

/** A whole element: header followed by an even-length value. */
export function encodeElement(tag: number, vr: string, value: Buffer, explicitVr: boolean): Buffer {
  return Buffer.concat([encodeHeader(tag, vr, value.length, explicitVr), value]);
}

/** An item (FFFE,E000) around already-encoded elements: defined length, or undefined length with its delimiter. */
export function encodeItem(body: Buffer, undefinedLength: boolean): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32LE(0xe000fffe, 0);
  header.writeUInt32LE(undefinedLength ? UNDEFINED_LENGTH : body.length, 4);
  if (!undefinedLength) return Buffer.concat([header, body]);
  const delimiter = Buffer.alloc(8);
  delimiter.writeUInt32LE(0xe00dfffe, 0);
  return Buffer.concat([header, body, delimiter]);
}
