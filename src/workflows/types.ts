// Inputs and results of workflows, shared with src/client. They carry ids and counts only: header values,
// labels derived from headers and file bytes never travel through Temporal (DESIGN invariant 1).

/** Input of importUpload: everything else (request parameters, files) is found in the database by id. */
export interface ImportUploadInput {
  uploadId: string;
  destination: 'archive' | 'prearchive';
  /** Skip the site pass (the client anonymized already, or the site switch is off). */
  skipSitePass: boolean;
  overwrite: 'none' | 'append' | 'delete';
}

/** Result of importUpload: the archived sessions, by opaque id, and the sessions left in the prearchive, with their XNAT URLs. */
export interface ImportUploadResult {
  uploadId: string;
  status: 'ARCHIVED' | 'PREARCHIVED';
  files: number;
  sessions: { sessionId: string; url: string; added: number; unchanged: number }[];
  /** Sessions left in the prearchive; `status` is READY, or CONFLICT/ERROR when an automatic archive failed. */
  prearchived: { prearchiveId: string; url: string; status: 'READY' | 'CONFLICT' | 'ERROR' }[];
}

/** Input of archiveSession: one identified group of an upload, or the group behind a prearchive session. */
export interface ArchiveSessionInput {
  uploadId: string;
  groupId: string;
  overwrite: 'none' | 'append' | 'delete';
  /** Set when the session is committed from the prearchive: its status follows the archive (ARCHIVING, CONFLICT, ERROR). */
  prearchiveId?: string;
}

/** Input of prearchiveOperation: move a prearchive session to a project, delete it, or rebuild it. */
export type PrearchiveOperationInput =
  | { op: 'move'; prearchiveId: string; projectId: string }
  | { op: 'delete'; prearchiveId: string }
  | { op: 'rebuild'; prearchiveId: string };

/** Result of prearchiveOperation: the new prearchive URL after a move, the file count after a rebuild. */
export interface PrearchiveOperationResult {
  prearchiveId: string;
  op: PrearchiveOperationInput['op'];
  url?: string;
  files?: number;
}

/** Result of archiveSession. */
export interface ArchiveSessionResult {
  sessionId: string;
  url: string;
  added: number;
  replaced: number;
  unchanged: number;
  removed: number;
  projectPass: { applied: number; reused: number; skipped: number; rejected: number };
}

/** Name of the signal a C-STORE receiver sends to a study's intake workflow (with signal-with-start). */
export const FILES_RECEIVED_SIGNAL = 'filesReceived';

/** Payload of filesReceived: a count only; the files themselves are rows of received_files, by study key. */
export interface FilesReceived {
  files: number;
}

/** Input of intakeStudy: one study of one receiver, by hashed key; counters are carried over by continue-as-new. */
export interface IntakeStudyInput {
  /** Hash of receiver id + StudyInstanceUID (never the UID itself). */
  studyKey: string;
  receiverId: string;
  destination: 'archive' | 'prearchive';
  skipSitePass: boolean;
  /** The receiver's anonymization switch: when false neither the site nor the project script runs. */
  anonymize: boolean;
  /** XNAT's session idle time, in milliseconds. */
  idleMs: number;
  /** The front door: a C-STORE receiver (default) or gradual-DICOM requests to the import service. */
  method?: 'cstore' | 'gradual';
  /** Signals one run takes before it continues as new (default 1000, far below the server's 10,000). */
  maxSignalsPerRun?: number;
  carried?: IntakeStudyCarry;
}

/** State handed from one run to the next by continue-as-new: counters and one timestamp, a few bytes. */
export interface IntakeStudyCarry {
  received: number;
  /** Workflow time (ms since the epoch) of the last signal. */
  lastArrival: number;
  imports: number;
  importedFiles: number;
  failedImports: number;
}

/** Result of intakeStudy: counts and the upload ids it handed to importUpload (opaque). */
export interface IntakeStudyResult {
  studyKey: string;
  received: number;
  imports: number;
  importedFiles: number;
  failedImports: number;
  /** Set when the study was deleted while RECEIVING: the files discarded and the prearchive row they were listed as. */
  deleted?: DiscardStudyResult;
}

/** Update asking a study's intake to build what it has now, without waiting for the idle time (XNAT's Rebuild). */
export const BUILD_STUDY_UPDATE = 'buildStudyNow';
/** Update asking a study's intake to discard what it has received (XNAT's Delete of a RECEIVING session). */
export const DISCARD_STUDY_UPDATE = 'discardStudy';

/** Result of buildStudyNow, once the build it asked for has ended: files sealed and imported. */
export interface BuildStudyResult {
  studyKey: string;
  uploadId: string | null;
  files: number;
  importedFiles: number;
  /** The import's failure type (its files are quarantined with the reason), if it failed. */
  failure?: { type: string; message: string };
}

/** Result of discardStudy: the number of files removed and the prearchive row that listed them. */
export interface DiscardStudyResult {
  studyKey: string;
  prearchiveId: string | null;
  files: number;
}

/**
 * Input of editSession. The edit itself (kind, session or subject, new labels) is in the database under `editId`;
 * the site settings come in here because workflows never read configuration.
 */
export interface EditSessionInput {
  editId: string;
  /** Site setting rerunProjectAnonOnRename: re-run the project script with the new labels. */
  rerunProjectAnon: boolean;
  /** How long superseded file versions are kept before they are purged. */
  retentionSeconds: number;
}

/** Result of editSession. */
export interface EditSessionResult {
  editId: string;
  sessions: number;
  /** Files that got a new version. */
  files: number;
  projectPass: boolean;
  repassed: number;
}

/** Input of purgeVersions. */
export interface PurgeVersionsInput {
  editId: string;
  retentionSeconds: number;
}
