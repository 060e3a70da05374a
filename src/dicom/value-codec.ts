/**
 * Converts element values between bytes and the strings DicomEdit works with: text trimmed of DICOM padding,
 * numbers as decimal strings, multiple values joined with "\\".
 */
import { DicomEditError } from './errors';
import { DEFAULT_REPERTOIRE_CODEC, type TextCodec } from './text-codec';
import { BINARY_NUMBER_VRS, CHARSET_VRS, KEEP_LEADING_SPACE_VRS, SINGLE_VALUE_TEXT_VRS, TEXT_VRS, padByte, type BinaryNumberLayout } from './vr';

/**
 * Decodes a value to its DicomEdit string. Text VRs are trimmed (trailing spaces/NULs; leading spaces too except for
 * LT, ST, UT); binary numbers become decimal strings; AT becomes "GGGGEEEE"; SQ, OB, OW, UN and other bulk VRs give ''.
 */
export function decodeValue(vr: string, bytes: Buffer, codec: TextCodec): string {
  if (TEXT_VRS.has(vr)) {
    const text = (CHARSET_VRS.has(vr) ? codec : DEFAULT_REPERTOIRE_CODEC).decode(bytes);
    return trimText(vr, text);
  }
  const layout = BINARY_NUMBER_VRS.get(vr);
  if (layout !== undefined) return decodeNumbers(layout, bytes).join('\\');
  if (vr === 'AT') {
    const tags: string[] = [];
    for (let at = 0; at + 4 <= bytes.length; at += 4) {
      tags.push((bytes.readUInt16LE(at).toString(16) + bytes.readUInt16LE(at + 2).toString(16).padStart(4, '0')).padStart(8, '0').toUpperCase());
    }
    return tags.join('\\');
  }
  return '';
}

function trimText(vr: string, text: string): string {
  const trimEnd = (s: string): string => s.replace(/[\0 ]+$/, '');
  if (KEEP_LEADING_SPACE_VRS.has(vr) || SINGLE_VALUE_TEXT_VRS.has(vr)) {
    const trimmed = trimEnd(text);
    return vr === 'UR' ? trimmed.replace(/^ +/, '') : trimmed;
  }
  return text
    .split('\\')
    .map((v) => trimEnd(v).replace(/^ +/, ''))
    .join('\\');
}

function decodeNumbers(layout: BinaryNumberLayout, bytes: Buffer): string[] {
  const out: string[] = [];
  for (let at = 0; at + layout.size <= bytes.length; at += layout.size) {
    switch (layout.kind) {
      case 'uint':
        out.push(String(layout.size === 2 ? bytes.readUInt16LE(at) : bytes.readUInt32LE(at)));
        break;
      case 'int':
        out.push(String(layout.size === 2 ? bytes.readInt16LE(at) : bytes.readInt32LE(at)));
        break;
      case 'float':
        out.push(layout.size === 4 ? formatFloat32(bytes.readFloatLE(at)) : String(bytes.readDoubleLE(at)));
        break;
      case 'bigint':
        out.push(bytes.readBigInt64LE(at).toString());
        break;
      case 'biguint':
        out.push(bytes.readBigUInt64LE(at).toString());
        break;
    }
  }
  return out;
}

/** The shortest decimal that reads back as the same 32-bit float (so 0.1f prints as "0.1", not 0.10000000149). */
function formatFloat32(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  for (let digits = 1; digits <= 9; digits++) {
    const text = Number(value.toPrecision(digits));
    if (Math.fround(text) === value) return String(text);
  }
  return String(value);
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

function invalid(vr: string, why: string): DicomEditError {
  return new DicomEditError('INVALID_VALUE', `value is not a valid ${vr}: ${why}`);
}

/**
 * Encodes a DicomEdit string as the value bytes of `vr`, padded to even length. Validates numbers (binary and
 * DS/IS) and UIDs; throws INVALID_VALUE, UNSUPPORTED_VR (SQ, OB, ...) or UNSUPPORTED_CHARSET.
 */
export function encodeValue(vr: string, value: string, codec: TextCodec): Buffer {
  if (TEXT_VRS.has(vr)) {
    validateText(vr, value);
    const bytes = (CHARSET_VRS.has(vr) ? codec : DEFAULT_REPERTOIRE_CODEC).encode(value);
    return bytes.length % 2 === 0 ? bytes : Buffer.concat([bytes, Buffer.from([padByte(vr)])]);
  }
  const layout = BINARY_NUMBER_VRS.get(vr);
  if (layout !== undefined) return encodeNumbers(vr, layout, value);
  throw new DicomEditError('UNSUPPORTED_VR', `values of VR ${vr} cannot be set from a string`);
}

function validateText(vr: string, value: string): void {
  const values = SINGLE_VALUE_TEXT_VRS.has(vr) ? [value] : value.split('\\');
  for (const raw of values) {
    const v = raw.trim();
    if (vr === 'UI' && (raw.length > 64 || !/^[0-9.]*$/.test(raw))) throw invalid(vr, 'a UID is up to 64 digits and dots');
    if (vr === 'DS' && v !== '' && (!DECIMAL.test(v) || raw.length > 16)) throw invalid(vr, 'expected a decimal number of at most 16 characters');
    if (vr === 'IS' && v !== '' && (!INTEGER.test(v) || Math.abs(Number(v)) > 2 ** 31 || raw.length > 12)) {
      throw invalid(vr, 'expected an integer in the signed 32-bit range');
    }
  }
}

function encodeNumbers(vr: string, layout: BinaryNumberLayout, value: string): Buffer {
  // An empty string is an empty value (VM 0), which DICOM allows; it must not become 0.
  if (value.trim() === '') return Buffer.alloc(0);
  const parts = value.split('\\').map((p) => p.trim());
  const out = Buffer.alloc(parts.length * layout.size);
  parts.forEach((part, i) => {
    const at = i * layout.size;
    if (layout.kind === 'float') {
      if (!DECIMAL.test(part)) throw invalid(vr, 'expected a decimal number');
      if (layout.size === 4) out.writeFloatLE(Number(part), at);
      else out.writeDoubleLE(Number(part), at);
      return;
    }
    if (!INTEGER.test(part)) throw invalid(vr, 'expected an integer');
    const n = BigInt(part);
    const bits = BigInt(layout.size * 8);
    const signed = layout.kind === 'int' || layout.kind === 'bigint';
    const min = signed ? -(1n << (bits - 1n)) : 0n;
    const max = signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
    if (n < min || n > max) throw invalid(vr, `out of range ${min}..${max}`);
    if (layout.size === 8) {
      if (signed) out.writeBigInt64LE(n, at);
      else out.writeBigUInt64LE(n, at);
    } else if (layout.size === 4) {
      if (signed) out.writeInt32LE(Number(n), at);
      else out.writeUInt32LE(Number(n), at);
    } else if (signed) out.writeInt16LE(Number(n), at);
    else out.writeUInt16LE(Number(n), at);
  });
  return out;
}
