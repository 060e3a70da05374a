/** Lifecycle of one upload, as stored in `uploads.status` and shown in the DicomStatus search attribute. */
export const UPLOAD_STATUSES = ['RECEIVED', 'UNPACKING', 'ANONYMIZING', 'ARCHIVING', 'ARCHIVED', 'PREARCHIVED', 'ERROR'] as const;
/** One upload status. */
export type UploadStatus = (typeof UPLOAD_STATUSES)[number];

/** The ways images arrive (gradual: XNAT's gradual-DICOM import, one file per request). */
export const UPLOAD_METHODS = ['api', 'zip', 'cstore', 'gradual', 'client'] as const;
/** One upload method. */
export type UploadMethod = (typeof UPLOAD_METHODS)[number];

/** Where an upload lands. */
export const DESTINATIONS = ['archive', 'prearchive'] as const;
/** One destination. */
export type Destination = (typeof DESTINATIONS)[number];
