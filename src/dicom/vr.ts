/** Value representations (PS3.5 §6.2) and how each one is laid out in bytes. */

/** Every VR that may appear in an explicit-VR element header. */
export const KNOWN_VRS: ReadonlySet<string> = new Set([
  'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'FL', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF', 'OL', 'OV', 'OW',
  'PN', 'SH', 'SL', 'SQ', 'SS', 'ST', 'SV', 'TM', 'UC', 'UI', 'UL', 'UN', 'UR', 'US', 'UT', 'UV',
]);

/** VRs whose explicit header has 2 reserved bytes and a 4-byte length (PS3.5 Table 7.1-1). */
const LONG_HEADER_VRS: ReadonlySet<string> = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

// The known VRs by their two header bytes (first << 8 | second): a header's VR is found without making a string
// per element, which was a third of the time of reading a small file.
const VR_BY_CODE: ReadonlyMap<number, string> = new Map([...KNOWN_VRS].map((vr) => [(vr.charCodeAt(0) << 8) | vr.charCodeAt(1), vr]));

/** The known VR written in bytes [at, at + 2), or undefined when those bytes are not one. */
export function vrAt(bytes: Buffer, at: number): string | undefined {
  return VR_BY_CODE.get((bytes[at]! << 8) | bytes[at + 1]!);
}

/** True when the explicit-VR header of this VR is 12 bytes (4-byte length) rather than 8. */
export function hasLongHeader(vr: string): boolean {
  return LONG_HEADER_VRS.has(vr);
}

/** Text VRs: values are character strings, possibly multi-valued with "\\". */
export const TEXT_VRS: ReadonlySet<string> = new Set([
  'AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT',
]);

/** Text VRs whose characters follow (0008,0005); the others use the default repertoire only (PS3.5 §6.1.2.3). */
export const CHARSET_VRS: ReadonlySet<string> = new Set(['LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UT']);

/** Text VRs where leading spaces are significant, so only trailing padding is trimmed. */
export const KEEP_LEADING_SPACE_VRS: ReadonlySet<string> = new Set(['LT', 'ST', 'UT']);

/** Single-valued text VRs: a backslash is an ordinary character there. */
export const SINGLE_VALUE_TEXT_VRS: ReadonlySet<string> = new Set(['LT', 'ST', 'UR', 'UT']);

/** Fixed-size binary numbers: byte size, and whether integer/signed/float. */
export interface BinaryNumberLayout {
  readonly size: 2 | 4 | 8;
  readonly kind: 'uint' | 'int' | 'float' | 'bigint' | 'biguint';
}

/** Binary numeric VRs and their layout. */
export const BINARY_NUMBER_VRS: ReadonlyMap<string, BinaryNumberLayout> = new Map<string, BinaryNumberLayout>([
  ['US', { size: 2, kind: 'uint' }],
  ['SS', { size: 2, kind: 'int' }],
  ['UL', { size: 4, kind: 'uint' }],
  ['SL', { size: 4, kind: 'int' }],
  ['FL', { size: 4, kind: 'float' }],
  ['FD', { size: 8, kind: 'float' }],
  ['SV', { size: 8, kind: 'bigint' }],
  ['UV', { size: 8, kind: 'biguint' }],
]);

/** The byte a value of this VR is padded with to reach an even length. */
export function padByte(vr: string): number {
  return vr === 'UI' ? 0x00 : 0x20;
}
