/**
 * Errors raised by the DICOM byte layer. Names and codes are wire contracts (Temporal failure types, API
 * responses), so they never change. Messages say what is wrong and where (byte offset, tag) and never carry
 * element values, which may be patient data.
 */

/** Why a file could not be read as a DICOM Part 10 file. */
export const DICOM_READ_ERROR_CODES = [
  'NOT_DICOM',
  'TRUNCATED',
  'BAD_LENGTH',
  'BAD_VR',
  'UNSUPPORTED_TRANSFER_SYNTAX',
  'HEADER_TOO_LARGE',
  // A big endian, deflated or File Meta-less input whose conversion would exceed maxConvertedBytes.
  'TOO_LARGE_TO_CONVERT',
  // A deflated dataset that does not inflate.
  'BAD_DEFLATE',
  // Not raised by the reader: callers use it for files that parse but lack the UIDs they need.
  'MISSING_UID',
] as const;
/** One of {@link DICOM_READ_ERROR_CODES}. */
export type DicomReadErrorCode = (typeof DICOM_READ_ERROR_CODES)[number];

/** The input is not a DICOM file we can edit losslessly; retrying will not help. */
export class DicomReadError extends Error {
  override readonly name = 'DicomReadError';
  constructor(
    readonly code: DicomReadErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Why an edit was refused. */
export const DICOM_EDIT_ERROR_CODES = [
  'UNKNOWN_TAG',
  'PRIVATE_TAG',
  'INVALID_VALUE',
  'UNSUPPORTED_VR',
  'UNSUPPORTED_CHARSET',
  'NOT_EDITABLE',
  'SOURCE_CHANGED',
] as const;
/** One of {@link DICOM_EDIT_ERROR_CODES}. */
export type DicomEditErrorCode = (typeof DICOM_EDIT_ERROR_CODES)[number];

/** An edit (or a value read) that we refuse rather than produce wrong bytes; retrying will not help. */
export class DicomEditError extends Error {
  override readonly name = 'DicomEditError';
  constructor(
    readonly code: DicomEditErrorCode,
    message: string,
  ) {
    super(message);
  }
}
