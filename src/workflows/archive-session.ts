import { ApplicationFailure, proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { DB_ACTIVITY_OPTIONS, FILE_ACTIVITY_OPTIONS, LOCK_ACTIVITY_OPTIONS } from './activity-options';
import { failureOf, rethrowAsDomainFailure } from './failure-of';
import { DicomStatus } from './search-attributes';
import type { ArchiveSessionInput, ArchiveSessionResult } from './types';

const files = proxyActivities<Activities>(FILE_ACTIVITY_OPTIONS);
const db = proxyActivities<Activities>(DB_ACTIVITY_OPTIONS);
const locks = proxyActivities<Activities>(LOCK_ACTIVITY_OPTIONS);

/**
 * Archive a session (direct archive, or commit from the prearchive): lock the prearchive session, run the project
 * pass once, lock the archived session it goes into (if it exists, so an edit never interleaves), check for a
 * conflict, move the files, write the catalog and the audit record, release. Each step is idempotent, so a crash
 * anywhere resumes without losing or repeating a file or a pass. From the prearchive, a label that exists with
 * other content ends in CONFLICT, any other failure in ERROR with the reason; the run then fails, so it shows as
 * failed in the Web UI and can be retried. A failed direct archive (no prearchive session yet) puts its session in
 * the prearchive with that status and reason, so it too can be retried (`archive retry`) rather than sent again.
 * Either way the project pass is rolled back first, so the retry runs it exactly once on every file it archives.
 */
export async function archiveSession(input: ArchiveSessionInput): Promise<ArchiveSessionResult> {
  const { prearchiveId } = input;
  // Outside the try: a refused claim leaves the session as it was (another operation owns it).
  if (prearchiveId) {
    await db.claimPrearchive({ prearchiveId, op: 'commit' }).catch(rethrowAsDomainFailure);
    await db.beginPrearchive({ prearchiveId, op: 'commit' });
  }
  try {
    const projectPass = await files.runProjectPass({ uploadId: input.uploadId, groupId: input.groupId });
    await locks.lockArchiveTarget({ groupId: input.groupId });
    const committed = await files.commitGroupToArchive({ uploadId: input.uploadId, groupId: input.groupId, overwrite: input.overwrite });
    await db.releaseSessionLocks();
    if (prearchiveId) await files.finishPrearchiveCommit({ prearchiveId });
    // The run's own end is mirrored in DicomStatus, so a visibility query by status finds the session's workflow
    // too, not only the upload's.
    upsertSearchAttributes([{ key: DicomStatus, value: 'ARCHIVED' }]);
    return { ...committed, projectPass };
  } catch (err) {
    const cause = failureOf(err);
    upsertSearchAttributes([{ key: DicomStatus, value: 'ERROR' }]);
    await db.releaseSessionLocks();
    const status = cause?.type === 'SessionConflictError' ? 'CONFLICT' : 'ERROR';
    const { workflowId } = workflowInfo();
    // Ids and counts only (messages name script ids, file numbers and tags, never values): no PHI in the reason.
    const reason = `${cause ? `${cause.type}: ${cause.message}` : 'internal error; see the workflow history'}; fix the cause, then run: dicom-intake archive retry ${workflowId}`;
    // The project pass is rolled back to the site-pass files, so the retry runs the fixed script once on each file.
    await files.discardProjectPass({ uploadId: input.uploadId, groupId: input.groupId });
    if (prearchiveId) {
      await db.releasePrearchive({ prearchiveId, status, reason });
      rethrowAsDomainFailure(err);
    }
    // A direct archive keeps the session in the prearchive (as XNAT does) rather than losing it to quarantine.
    const kept = await files.keepFailedArchive({ uploadId: input.uploadId, groupId: input.groupId, status, reason });
    throw ApplicationFailure.create({
      type: cause?.type ?? 'InternalError',
      message: `${cause?.message ?? 'internal error; see the workflow history'}; the session is kept in the prearchive as ${status} (${kept.prearchiveId}): fix the cause, then run: dicom-intake archive retry ${workflowId}`,
      nonRetryable: true,
    });
  }
}
