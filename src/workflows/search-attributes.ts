import { defineSearchAttributeKey } from '@temporalio/common';

// Registered on the dev server from temporal-dev.yaml (temporal.searchAttributes). Values are opaque and
// PHI-free: project ids, enums. They are never encrypted, so nothing derived from a header goes here.

/** Project id of the upload or session. */
export const DicomProject = defineSearchAttributeKey('DicomProject', 'KEYWORD');
/** api | zip | cstore | client. */
export const DicomUploadMethod = defineSearchAttributeKey('DicomUploadMethod', 'KEYWORD');
/** archive | prearchive. */
export const DicomDestination = defineSearchAttributeKey('DicomDestination', 'KEYWORD');
/** The upload's status (UploadStatus). */
export const DicomStatus = defineSearchAttributeKey('DicomStatus', 'KEYWORD');
