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

/** Result of importUpload: the archived sessions, by opaque id, with their XNAT URLs. */
export interface ImportUploadResult {
  uploadId: string;
  status: 'ARCHIVED' | 'PREARCHIVED';
  files: number;
  sessions: { sessionId: string; url: string; added: number; unchanged: number }[];
}

/** Input of archiveSession: one identified group of an upload. */
export interface ArchiveSessionInput {
  uploadId: string;
  groupId: string;
  overwrite: 'none' | 'append' | 'delete';
}

/** Result of archiveSession. */
export interface ArchiveSessionResult {
  sessionId: string;
  url: string;
  added: number;
  replaced: number;
  unchanged: number;
  projectPass: { applied: number; reused: number; skipped: number; rejected: number };
}
