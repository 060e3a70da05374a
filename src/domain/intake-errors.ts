// Error names are wire contracts: workflows and the API branch on the failure `type`, which Temporal takes from
// `error.name`. Messages carry ids, member numbers and counts only, never header values or file names.

/** Base of the errors a person can act on; `code` is stable and machine-readable. */
export abstract class IntakeError extends Error {
  abstract readonly code: string;
}

/** A member of an uploaded archive is not a DICOM file this service can read faithfully. */
export class CorruptMemberError extends IntakeError {
  override readonly name = 'CorruptMemberError';
  readonly code = 'CORRUPT_MEMBER';
  constructor(readonly memberIndex: number, reason: string, uploadId: string) {
    super(`member #${memberIndex} of upload ${uploadId} is not a readable DICOM file (${reason}); nothing from this upload was archived. Remove or fix that member, or send Ignore-Unparsable=true to skip it.`);
  }
}

/** The uploaded body is not a zip/tar archive, or breaks a configured limit. */
export class BadArchiveError extends IntakeError {
  override readonly name = 'BadArchiveError';
  readonly code = 'BAD_ARCHIVE';
}

/** The destination project does not exist. */
export class ProjectNotFoundError extends IntakeError {
  override readonly name = 'ProjectNotFoundError';
  readonly code = 'PROJECT_NOT_FOUND';
}

/** A session with this label already holds different files and overwrite=none was asked. */
export class SessionConflictError extends IntakeError {
  override readonly name = 'SessionConflictError';
  readonly code = 'SESSION_CONFLICT';
}

/** An anonymization script failed on a file (the message names the upload, file number and script, never values). */
export class AnonymizationFailedError extends IntakeError {
  override readonly name = 'AnonymizationFailedError';
  readonly code = 'ANONYMIZATION_FAILED';
}

/** The request itself is wrong (missing parameter, unknown option). */
export class BadRequestError extends IntakeError {
  override readonly name = 'BadRequestError';
  readonly code = 'BAD_REQUEST';
}

/** A prearchive operation is not allowed in the session's current status (reference §4.5). */
export class PrearchiveStatusError extends IntakeError {
  override readonly name = 'PrearchiveStatusError';
  readonly code = 'PREARCHIVE_STATUS';
}

/** The prearchive or archived session named does not exist (or no longer: deleted or committed meanwhile). */
export class SessionNotFoundError extends IntakeError {
  override readonly name = 'SessionNotFoundError';
  readonly code = 'SESSION_NOT_FOUND';
}

/** The label asked for is already used in the target project (relabel, move, commit without overwrite). */
export class LabelTakenError extends IntakeError {
  override readonly name = 'LabelTakenError';
  readonly code = 'LABEL_TAKEN';
}

/** The project script rejected every file of a session: XNAT's "Empty sessions cannot be archived." */
export class EmptySessionError extends IntakeError {
  override readonly name = 'EmptySessionError';
  readonly code = 'EMPTY_SESSION';
}

/**
 * Another operation holds the session (an archive and an edit of one session never interleave). RETRYABLE on
 * purpose: the activity's retry policy is how the second operation waits its turn; when its attempts run out the
 * workflow fails with this message.
 */
export class SessionBusyError extends IntakeError {
  override readonly name = 'SessionBusyError';
  readonly code = 'SESSION_BUSY';
}

/**
 * An upload sent as anonymized by the client (prevent_anon=true) does not carry, in its files' (0012,0064) items,
 * the scripts in effect: an old script version, a tampered or an unanonymized file. The whole upload is refused.
 */
export class ClientClaimRejectedError extends IntakeError {
  override readonly name = 'ClientClaimRejectedError';
  readonly code = 'CLIENT_CLAIM_REJECTED';
}

/**
 * A file in staging or quarantine that was written encrypted does not decrypt: cut short, altered, or sealed with a
 * key no longer configured. Its bytes are never used; the upload goes to quarantine with this reason.
 */
export class StagedFileDamagedError extends IntakeError {
  override readonly name = 'StagedFileDamagedError';
  constructor(readonly code: 'TRUNCATED' | 'NOT_AUTHENTIC' | 'BAD_HEADER' | 'UNKNOWN_KEY', message: string) {
    super(message);
  }
}

/** Failure types that retrying cannot fix; listed once, used in every activity proxy's retry policy. */
export const NON_RETRYABLE_ERROR_TYPES = [
  'CorruptMemberError',
  'BadArchiveError',
  'ProjectNotFoundError',
  'SessionConflictError',
  'AnonymizationFailedError',
  'BadRequestError',
  'PrearchiveStatusError',
  'SessionNotFoundError',
  'LabelTakenError',
  'EmptySessionError',
  'ClientClaimRejectedError',
  'ScriptSyntaxError',
  'ScriptCheckError',
  'ScriptRuntimeError',
  'DicomReadError',
  'StagedFileDamagedError',
] as const;
