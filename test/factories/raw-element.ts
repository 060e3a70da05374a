/**
 * Byte-level additions to a synthetic Part 10 file (explicit VR little endian, defined lengths, as buildDicom writes
 * it) that the builder cannot express: a File Meta element beyond its fixed set, and a top-level element written
 * with a VR other than its dictionary VR (e.g. UN). Independent of src/dicom so the editor is not checked against
 * itself.
 */

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const PREAMBLE = 132; // 128-byte preamble + "DICM"

function explicitElement(tag: number, vr: string, value: Buffer): Buffer {
  const padded = value.length % 2 === 0 ? value : Buffer.concat([value, Buffer.from([vr === 'UN' || vr === 'UI' ? 0 : 0x20])]);
  const long = LONG_VRS.has(vr);
  const header = Buffer.alloc(long ? 12 : 8);
  header.writeUInt16LE(tag >>> 16, 0);
  header.writeUInt16LE(tag & 0xffff, 2);
  header.write(vr, 4, 'latin1');
  if (long) header.writeUInt32LE(padded.length, 8);
  else header.writeUInt16LE(padded.length, 6);
  return Buffer.concat([header, padded]);
}

/** Offset just after the File Meta group (whose (0002,0000) group length comes first). */
function metaEnd(file: Buffer): number {
  if (file.toString('latin1', 128, 132) !== 'DICM' || file.readUInt32LE(PREAMBLE) !== 0x00000002) throw new Error('not a Part 10 file with a group length');
  return PREAMBLE + 12 + file.readUInt32LE(PREAMBLE + 8);
}

/** The file with one more File Meta element appended at the end of group 2 (the group length updated). */
export function withMetaElement(file: Buffer, tag: number, vr: string, value: string): Buffer {
  const end = metaEnd(file);
  const added = explicitElement(tag, vr, Buffer.from(value, 'latin1'));
  const out = Buffer.concat([file.subarray(0, end), added, file.subarray(end)]);
  out.writeUInt32LE(file.readUInt32LE(PREAMBLE + 8) + added.length, PREAMBLE + 8);
  return out;
}

/** The file with one top-level dataset element inserted in tag order, encoded with the given VR (e.g. 'UN'). */
export function withDatasetElement(file: Buffer, tag: number, vr: string, value: string): Buffer {
  let pos = metaEnd(file);
  while (pos < file.length) {
    const t = ((file.readUInt16LE(pos) << 16) | file.readUInt16LE(pos + 2)) >>> 0;
    if (t === tag) throw new Error(`element ${tag.toString(16)} is already there`);
    if (t > tag) break;
    const v = file.toString('latin1', pos + 4, pos + 6);
    if (LONG_VRS.has(v)) {
      const len = file.readUInt32LE(pos + 8);
      if (len === 0xffffffff) throw new Error('undefined lengths are not walked here');
      pos += 12 + len;
    } else pos += 8 + file.readUInt16LE(pos + 6);
  }
  return Buffer.concat([file.subarray(0, pos), explicitElement(tag, vr, Buffer.from(value, 'latin1')), file.subarray(pos)]);
}
