/**
 * DICOMDIR (PS3.10 §8.6, PS3.3 Annex F): a file-set's directory, not an image. Its records repeat patient names,
 * IDs and dates and point into the file by byte offsets, so it is never edited or archived (deidentification-anchors
 * §5, tier D): intake skips it, `anonymize` drops it and can generate a new one (dicomdir-writer.ts).
 */
import type { EditableDataset } from '../anonymize/dataset';
import { TAG } from './tags';

/** Media Storage Directory Storage: the SOP Class of a DICOMDIR. */
export const MEDIA_STORAGE_DIRECTORY_SOP_CLASS = '1.2.840.10008.1.3.10';

/** True when the file is a DICOMDIR: its File Meta says so, or it holds a Directory Record Sequence. */
export function isDicomdir(ds: Pick<EditableDataset, 'getString' | 'has'>): boolean {
  return ds.getString(TAG.MediaStorageSOPClassUID) === MEDIA_STORAGE_DIRECTORY_SOP_CLASS || ds.has(TAG.DirectoryRecordSequence);
}
