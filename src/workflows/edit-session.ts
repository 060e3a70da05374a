import { ParentClosePolicy, proxyActivities, startChild } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { DB_ACTIVITY_OPTIONS, FILE_ACTIVITY_OPTIONS, LOCK_ACTIVITY_OPTIONS } from './activity-options';
import { failureOf, rethrowAsDomainFailure } from './failure-of';
import { purgeVersions } from './purge-versions';
import type { EditSessionInput, EditSessionResult } from './types';

const files = proxyActivities<Activities>(FILE_ACTIVITY_OPTIONS);
const db = proxyActivities<Activities>(DB_ACTIVITY_OPTIONS);
const locks = proxyActivities<Activities>(LOCK_ACTIVITY_OPTIONS);

/**
 * A metadata edit (subject relabel, session relabel, move to another project, assign to another subject) as one
 * unit: lock the sessions, re-run the project script on every file with the new labels into staging, then change
 * the catalog and point the instances at the new files in one transaction. A failure before that transaction
 * leaves labels and files as they were. The site script never re-runs. The superseded files are purged after the
 * retention by a child that outlives this run (ABANDON), so the session is not held for the retention time.
 *
 * Serialization: the workflow id names the session (or subject), so a second edit request while one runs is
 * refused by Temporal; the session lock rows, shared with archiveSession, make an edit and an archive of the same
 * session wait for each other (an update-with-start would serialize only edits, not archives keyed elsewhere).
 */
export async function editSession(input: EditSessionInput): Promise<EditSessionResult> {
  try {
    const begun = await locks.beginEdit({ editId: input.editId, rerunProjectAnon: input.rerunProjectAnon });
    const { sessionIds } = begun;
    // A re-pass runs the pinned project script, and on a move the destination's profile when the files lack it.
    const projectPass = begun.scriptId !== null || (begun.profileId ?? null) !== null;
    let repassed = 0;
    if (projectPass) {
      for (const sessionId of sessionIds) repassed += (await files.repassSessionForEdit({ editId: input.editId, sessionId })).files;
    }
    const applied = await files.applyEdit({ editId: input.editId });
    await db.releaseSessionLocks();
    if (applied.files > 0) {
      await startChild(purgeVersions, {
        workflowId: `purge-versions-${input.editId}`,
        args: [{ editId: input.editId, retentionSeconds: input.retentionSeconds }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
    }
    return { editId: input.editId, sessions: sessionIds.length, files: applied.files, projectPass, repassed };
  } catch (err) {
    const cause = failureOf(err);
    await db.releaseSessionLocks();
    await db.abortEdit({ editId: input.editId, reason: cause ? `${cause.type}: ${cause.message}` : 'internal error; see the workflow history' });
    rethrowAsDomainFailure(err);
  }
}
