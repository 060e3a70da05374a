import type { EditableDataset } from '../anonymize/dataset';
import { IDENTIFICATION_TAGS, type IdentificationHeader } from '../domain/identify';
import { hashIdentifier } from '../domain/uid-hash';

const TAG = {
  StudyInstanceUID: 0x0020000d,
  SeriesInstanceUID: 0x0020000e,
  SOPInstanceUID: 0x00080018,
  SeriesNumber: 0x00200011,
  Modality: 0x00080060,
} as const;

/** The identification fields of a header, read in memory for identify(); never stored or logged. */
export function readIdentificationHeader(ds: EditableDataset): IdentificationHeader {
  const out: IdentificationHeader = {};
  for (const [k, tag] of Object.entries(IDENTIFICATION_TAGS)) {
    const v = ds.getString(tag);
    if (v !== undefined) out[k as keyof IdentificationHeader] = v;
  }
  return out;
}

/** The PHI-free keys of a file: hashed UIDs and the series number (a small integer, used as the scan label). */
export function readFileKeys(ds: EditableDataset) {
  const study = ds.getString(TAG.StudyInstanceUID) ?? '';
  const series = ds.getString(TAG.SeriesInstanceUID) ?? '';
  const sop = ds.getString(TAG.SOPInstanceUID) ?? '';
  const seriesNumber = (ds.getString(TAG.SeriesNumber) ?? '').trim();
  return {
    hasUids: Boolean(study && series && sop),
    studyUidHash: hashIdentifier('study', study),
    seriesUidHash: hashIdentifier('series', series),
    sopUidHash: hashIdentifier('sop', sop),
    // Scan folders are named by SeriesNumber as XNAT does; a non-numeric value is replaced, never copied.
    seriesNumber: /^[+-]?\d{1,12}$/.test(seriesNumber) ? seriesNumber.replace(/^\+/, '_') : '0',
  };
}
