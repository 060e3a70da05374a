// The workflow bundle's entry: every workflow type the worker registers.
export { archiveSession } from './archive-session';
export { importUpload } from './import-upload';
export { intakeStudy } from './intake-study';
export { prearchiveOperation } from './prearchive-operation';
export { editSession } from './edit-session';
export { purgeVersions } from './purge-versions';
