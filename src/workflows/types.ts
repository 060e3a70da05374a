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
