// Workflow ids that name a session: one id per session is how Temporal itself refuses a second operation on it
// while one runs (conflict policy FAIL). Ids are opaque (random database ids), never labels.

/** Workflow id of every operation on one prearchive session (commit, move, delete, rebuild). */
export const prearchiveWorkflowId = (prearchiveId: string) => `prearchive-${prearchiveId}`;

/** Workflow id of the direct archive of one session group of an upload (and of its retries). */
export const archiveWorkflowId = (groupId: string) => `archive-${groupId}`;

/** Workflow id of every metadata edit of one archived session. */
export const sessionEditWorkflowId = (sessionId: string) => `session-edit-${sessionId}`;

/** Workflow id of a subject relabel (it edits every session of the subject). */
export const subjectEditWorkflowId = (subjectId: string) => `subject-edit-${subjectId}`;
