/** Tags are numbers: (group << 16 | element) >>> 0, as in src/anonymize/dataset.ts. */

/** Builds a numeric tag from group and element. */
export function makeTag(group: number, element: number): number {
  return ((group << 16) | element) >>> 0;
}

/** The group number of a tag. */
export function tagGroup(tag: number): number {
  return tag >>> 16;
}

/** The element number of a tag. */
export function tagElement(tag: number): number {
  return tag & 0xffff;
}

/** Formats a tag as "(GGGG,EEEE)" for messages and dictionary look-ups. */
export function formatTag(tag: number): string {
  const hex = tag.toString(16).toUpperCase().padStart(8, '0');
  return `(${hex.slice(0, 4)},${hex.slice(4)})`;
}

/** True for tags in odd groups (private data elements and private creators). */
export function isPrivateTag(tag: number): boolean {
  return (tagGroup(tag) & 1) === 1;
}

/** True for group length elements (gggg,0000). */
export function isGroupLength(tag: number): boolean {
  return tagElement(tag) === 0;
}

/** Tags the byte layer itself needs to know. */
export const TAG = {
  FileMetaInformationGroupLength: 0x00020000,
  MediaStorageSOPClassUID: 0x00020002,
  MediaStorageSOPInstanceUID: 0x00020003,
  TransferSyntaxUID: 0x00020010,
  DirectoryRecordSequence: 0x00041220,
  SpecificCharacterSet: 0x00080005,
  SOPClassUID: 0x00080016,
  SOPInstanceUID: 0x00080018,
  CodeValue: 0x00080100,
  CodingSchemeDesignator: 0x00080102,
  CodingSchemeVersion: 0x00080103,
  CodeMeaning: 0x00080104,
  DeidentificationMethodCodeSequence: 0x00120064,
  PixelRepresentation: 0x00280103,
  FloatPixelData: 0x7fe00008,
  DoubleFloatPixelData: 0x7fe00009,
  PixelData: 0x7fe00010,
  Item: 0xfffee000,
  ItemDelimitationItem: 0xfffee00d,
  SequenceDelimitationItem: 0xfffee0dd,
} as const;

/** Pixel data elements: never loaded into memory, streamed from input to output. */
export const PIXEL_DATA_TAGS: ReadonlySet<number> = new Set([TAG.FloatPixelData, TAG.DoubleFloatPixelData, TAG.PixelData]);
