/**
 * The byte side of the Encrypted Attributes Sequence (PS3.15 E.1.1 items 1 and 4; PS3.3 C.12.1.1.4): the original
 * top-level elements are encoded in Explicit VR Little Endian before the profile runs; afterwards those that the
 * profile changed or removed become the single item of Modified Attributes Sequence (0400,0550), the dataset that
 * is encrypted (cms-enveloped-data.ts) and stored as an item of (0400,0500) with (0400,0510) and (0400,0520).
 *
 * Pixel Data and the File Meta are not copied (the profile does not protect them as attributes); an element whose
 * value the editor left on disk (bulk data over its in-memory limit) cannot be copied and is left out.
 */
import type { EditableDataset, ItemPath } from '../anonymize/dataset';
import { encodeElement, encodeHeader, encodeItem } from './element-encoder';
import { padByte, TEXT_VRS } from './vr';
import { EXPLICIT_VR_LITTLE_ENDIAN } from './transfer-syntax';

/** Explicit VR Little Endian: the transfer syntax of the encrypted dataset. */

const MODIFIED_ATTRIBUTES_SEQUENCE = 0x04000550;
const ENCRYPTED_CONTENT_TRANSFER_SYNTAX_UID = 0x04000510;
const ENCRYPTED_CONTENT = 0x04000520;
const PIXEL_DATA = 0x7fe00010;
/** The element that holds the encrypted items: never copied into them. */
export const ENCRYPTED_ATTRIBUTES_SEQUENCE = 0x04000500;

/** What the encoder reads of a dataset. */
export type EncodableDataset = Pick<EditableDataset, 'tagsAt' | 'vrAt' | 'getBytesAt' | 'itemCount'>;

/** One element (path, tag) in Explicit VR LE with defined lengths; undefined when absent or not in memory. */
function encodeAt(ds: EncodableDataset, path: ItemPath, tag: number): Buffer | undefined {
  const vr = ds.vrAt(path, tag);
  if (vr === undefined) return undefined;
  const count = ds.itemCount(path, tag);
  if (vr === 'SQ' || (vr === 'UN' && count > 0)) {
    const items: Buffer[] = [];
    for (let item = 0; item < count; item++) {
      const at = [...path, { tag, item }];
      const body = Buffer.concat(ds.tagsAt(at).flatMap((t) => encodeAt(ds, at, t) ?? []));
      items.push(encodeItem(body, false));
    }
    const value = Buffer.concat(items);
    return Buffer.concat([encodeHeader(tag, 'SQ', value.length, true), value]);
  }
  const bytes = ds.getBytesAt(path, tag);
  if (bytes === undefined) return undefined;
  const value = bytes.length % 2 === 0 ? Buffer.from(bytes) : Buffer.concat([Buffer.from(bytes), Buffer.from([TEXT_VRS.has(vr) ? padByte(vr) : 0])]);
  return encodeElement(tag, vr, value, true);
}

/** The top-level elements that may be protected, encoded: every tag but group lengths, Pixel Data and (0400,0500). */
export function snapshotOriginals(ds: EncodableDataset): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  for (const tag of ds.tagsAt([])) {
    if ((tag & 0xffff) === 0 || tag >>> 16 === 0x0002 || tag === PIXEL_DATA || tag === ENCRYPTED_ATTRIBUTES_SEQUENCE) continue;
    const bytes = encodeAt(ds, [], tag);
    if (bytes !== undefined) out.set(tag, bytes);
  }
  return out;
}

/** The originals of the elements that are now absent or different, in tag order. */
export function modifiedOriginals(snapshot: ReadonlyMap<number, Buffer>, ds: EncodableDataset): Buffer[] {
  const changed: Buffer[] = [];
  for (const [tag, original] of [...snapshot].sort((a, b) => a[0] - b[0])) {
    const now = encodeAt(ds, [], tag);
    if (now === undefined || !now.equals(original)) changed.push(original);
  }
  return changed;
}

/** The dataset to encrypt: Modified Attributes Sequence (0400,0550) with one item holding the originals. */
export function modifiedAttributesDataset(originals: readonly Buffer[]): Buffer {
  const item = encodeItem(Buffer.concat(originals), false);
  return Buffer.concat([encodeHeader(MODIFIED_ATTRIBUTES_SEQUENCE, 'SQ', item.length, true), item]);
}

/** The elements of one Encrypted Attributes Sequence item, in the file's dataset encoding. */
export function encryptedAttributesItemBody(content: Buffer, explicitVr: boolean): Buffer {
  const ts = Buffer.from(`${EXPLICIT_VR_LITTLE_ENDIAN}\0`, 'latin1');
  const padded = content.length % 2 === 0 ? content : Buffer.concat([content, Buffer.from([0])]);
  return Buffer.concat([encodeElement(ENCRYPTED_CONTENT_TRANSFER_SYNTAX_UID, 'UI', ts, explicitVr), encodeElement(ENCRYPTED_CONTENT, 'OB', padded, explicitVr)]);
}
