/** The Part 10 preamble and File Meta Information (group 0002) put in front of a received dataset's raw bytes. */
import { encodeElement } from './element-encoder';

/** This implementation's class UID and version name, written into (0002,0012) and (0002,0013). */
export const IMPLEMENTATION_CLASS_UID = '2.25.208341961357130416713521547327617213311';
export const IMPLEMENTATION_VERSION_NAME = 'DICOM_INTAKE_1';

/** What the meta header states about the dataset that follows it. */
export interface FileMetaFields {
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  /** The calling AE title, as XNAT records it in (0002,0016) SourceApplicationEntityTitle. */
  sourceAeTitle?: string;
}

/** A UI value padded with NUL to an even length (PS3.5 6.2). */
export const uid = (v: string) => Buffer.from(v.length % 2 ? `${v}\0` : v, 'latin1');
/** A default-repertoire text value padded with a space to an even length (PS3.5 6.2). */
export const text = (v: string) => Buffer.from(v.length % 2 ? `${v} ` : v, 'latin1');

/** Preamble, "DICM" and group 0002 in explicit VR little endian, with a correct group length. */
export function encodeFileMeta(f: FileMetaFields): Buffer {
  const body = Buffer.concat([
    encodeElement(0x00020001, 'OB', Buffer.from([0, 1]), true),
    encodeElement(0x00020002, 'UI', uid(f.sopClassUid), true),
    encodeElement(0x00020003, 'UI', uid(f.sopInstanceUid), true),
    encodeElement(0x00020010, 'UI', uid(f.transferSyntaxUid), true),
    encodeElement(0x00020012, 'UI', uid(IMPLEMENTATION_CLASS_UID), true),
    encodeElement(0x00020013, 'SH', text(IMPLEMENTATION_VERSION_NAME), true),
    ...(f.sourceAeTitle ? [encodeElement(0x00020016, 'AE', text(f.sourceAeTitle.trim()), true)] : []),
  ]);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(body.length, 0);
  return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM', 'latin1'), encodeElement(0x00020000, 'UL', length, true), body]);
}
