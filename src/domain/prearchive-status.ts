import { assertNever } from './assert-never';

/**
 * XNAT's prearchive statuses (reference §4.2): the stable ones, and the QUEUED_* forms a session takes from the
 * moment an operation is accepted until its workflow starts the work. XNAT's underscore-prefixed lock twins are
 * not needed: here the lock is the status itself plus the owning workflow id (prearchive_sessions.locked_by).
 */
export const PREARCHIVE_STATUSES = [
  'RECEIVING',
  'BUILDING',
  'READY',
  'ARCHIVING',
  'CONFLICT',
  'ERROR',
  'MOVING',
  'DELETING',
  'QUEUED_BUILDING',
  'QUEUED_ARCHIVING',
  'QUEUED_MOVING',
  'QUEUED_DELETING',
] as const;
/** One prearchive status. */
export type PrearchiveStatus = (typeof PREARCHIVE_STATUSES)[number];

/** Operations a person can ask for on a prearchive session (list and details are always allowed). */
export const PREARCHIVE_OPERATIONS = ['commit', 'move', 'delete', 'rebuild'] as const;
/** One prearchive operation. */
export type PrearchiveOperation = (typeof PREARCHIVE_OPERATIONS)[number];

/**
 * Which operation each status allows (XNAT's table, reference §4.5): READY allows everything; CONFLICT allows
 * commit (XNAT's "Review & Archive", with an overwrite choice), delete and rebuild, not a project change; ERROR
 * and RECEIVING allow delete and rebuild; a queued or running operation allows nothing (XNAT: "already queued").
 */
export function allows(status: PrearchiveStatus, op: PrearchiveOperation): boolean {
  switch (status) {
    case 'READY':
      return true;
    case 'CONFLICT':
      return op !== 'move';
    case 'ERROR':
    case 'RECEIVING':
      return op === 'delete' || op === 'rebuild';
    case 'ARCHIVING':
    case 'MOVING':
    case 'DELETING':
    case 'BUILDING':
    case 'QUEUED_BUILDING':
    case 'QUEUED_ARCHIVING':
    case 'QUEUED_MOVING':
    case 'QUEUED_DELETING':
      return false;
    default:
      return assertNever(status);
  }
}

/** The statuses from which `op` may start. */
export function statusesAllowing(op: PrearchiveOperation): PrearchiveStatus[] {
  return PREARCHIVE_STATUSES.filter((s) => allows(s, op));
}

/** The status a session takes once `op` is accepted, and the one it takes while the work runs. */
export function statusesOf(op: PrearchiveOperation): { queued: PrearchiveStatus; running: PrearchiveStatus } {
  switch (op) {
    case 'commit':
      return { queued: 'QUEUED_ARCHIVING', running: 'ARCHIVING' };
    case 'move':
      return { queued: 'QUEUED_MOVING', running: 'MOVING' };
    case 'delete':
      return { queued: 'QUEUED_DELETING', running: 'DELETING' };
    case 'rebuild':
      return { queued: 'QUEUED_BUILDING', running: 'BUILDING' };
    default:
      return assertNever(op);
  }
}

/** Why `op` is refused in `status`, in words a person can act on. */
export function refusalReason(status: PrearchiveStatus, op: PrearchiveOperation): string {
  if (status.startsWith('QUEUED_') || ['ARCHIVING', 'MOVING', 'DELETING', 'BUILDING'].includes(status)) {
    return `another operation is already queued or running (${status}); wait for it to finish`;
  }
  if (status === 'RECEIVING') return `its files are still arriving (RECEIVING), which allows only delete, rebuild; rebuild it to build it now, then ${op} the built session`;
  if (op === 'move' && status === 'CONFLICT') return 'a session in CONFLICT cannot change project; commit it with overwrite=append|delete, rebuild or delete it';
  return `a session that is ${status} allows only ${PREARCHIVE_OPERATIONS.filter((o) => allows(status, o)).join(', ')}; rebuild it first`;
}

/** XNAT's prearchive timestamp folder name, yyyyMMdd_HHmmssSSS, in UTC. */
export function prearchiveTimestamp(date: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${date.getUTCFullYear()}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}_${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}${p(date.getUTCMilliseconds(), 3)}`;
}

/**
 * What happens after a session is built (reference §4.4 and item 21): a DICOM `AA:` value wins (AA:false forces
 * manual), then the project's prearchive code: 0 manual, 4 auto-archive, 5 auto-archive overwriting. Code 5 commits
 * with overwrite=delete, the others with append.
 */
export function autoArchivePlan(prearchiveCode: number, aa: boolean | undefined): { auto: boolean; overwrite: 'append' | 'delete' } {
  const overwrite = prearchiveCode === 5 ? 'delete' : 'append';
  if (aa !== undefined) return { auto: aa, overwrite };
  return { auto: prearchiveCode === 4 || prearchiveCode === 5, overwrite };
}
