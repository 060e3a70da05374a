import { assertNever } from './assert-never';

/** The four metadata edits that re-run the project script (reference §6). */
export const EDIT_KINDS = ['subject-relabel', 'session-relabel', 'move', 'reassign'] as const;
/** One kind of metadata edit. */
export type EditKind = (typeof EDIT_KINDS)[number];

/** What an edit asks for: the new label, project or subject, by kind. */
export interface EditTarget {
  /** subject-relabel: the subject's new label; reassign: the label of the subject the session goes to. */
  subjectLabel?: string;
  /** session-relabel: the session's new label. */
  sessionLabel?: string;
  /** move: the project the session goes to. */
  projectId?: string;
}

/** Where a session sits: project, subject label, session label (the script's project/subject/session variables). */
export interface SessionPlace {
  projectId: string;
  subjectLabel: string;
  sessionLabel: string;
}

/** Where a session sits after an edit. Pure: the same answer for the re-pass and for the catalog change. */
export function placeAfterEdit(kind: EditKind, target: EditTarget, now: SessionPlace): SessionPlace {
  const need = (v: string | undefined, what: string) => {
    if (!v) throw new Error(`a ${kind} edit needs ${what}`);
    return v;
  };
  switch (kind) {
    case 'subject-relabel':
    case 'reassign':
      return { ...now, subjectLabel: need(target.subjectLabel, 'a subject label') };
    case 'session-relabel':
      return { ...now, sessionLabel: need(target.sessionLabel, 'a session label') };
    case 'move':
      // The subject keeps its label in the new project (created there when missing), as XNAT's move does.
      return { ...now, projectId: need(target.projectId, 'a project') };
    default:
      return assertNever(kind);
  }
}
