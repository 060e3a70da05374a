/**
 * The attributes that record a de-identification (E.1.1 item 6, E.2, E.3.6): Patient Identity Removed (0012,0062),
 * De-identification Method (0012,0063), one CID 7050 item per profile and option in (0012,0064), and Longitudinal
 * Temporal Information Modified (0028,0303). Earlier values of (0012,0063) and items of (0012,0064) are kept: they
 * are the provenance of earlier passes.
 */
import { PS315_EDITION } from './ps3.15-2025b.generated';
import { BASIC_PROFILE_CODE, longitudinalTemporalValue, optionCode, type ProfileOptions } from './profile-options';
import type { ProfileDataset, ProfileFileTarget } from './profile-dataset';
import { OPTION_COLUMNS } from './table-types';

const PATIENT_IDENTITY_REMOVED = 0x00120062;
const DEIDENTIFICATION_METHOD = 0x00120063;
const LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED = 0x00280303;

/** The text this project writes into De-identification Method (0012,0063) (LO: at most 64 characters). */
export const DEIDENTIFICATION_METHOD_TEXT = `dicom-intake PS3.15-${PS315_EDITION} Basic Profile`;

/** Writes the markers for a profile run with `options`. */
export function writeMarkers(ds: ProfileDataset, file: ProfileFileTarget, options: ProfileOptions): void {
  ds.setStringAt([], PATIENT_IDENTITY_REMOVED, 'YES');
  const earlier = ds.getStringAt([], DEIDENTIFICATION_METHOD);
  ds.setStringAt([], DEIDENTIFICATION_METHOD, earlier === undefined || earlier.trim() === '' ? DEIDENTIFICATION_METHOD_TEXT : `${earlier}\\${DEIDENTIFICATION_METHOD_TEXT}`);
  const codes = [BASIC_PROFILE_CODE, ...OPTION_COLUMNS.filter((c) => options.has(c.option)).map((c) => optionCode(c.option))];
  for (const code of codes) file.appendDeidentificationMethodCode({ ...code, codingSchemeDesignator: 'DCM' });
  ds.setStringAt([], LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED, longitudinalTemporalValue(options));
}
