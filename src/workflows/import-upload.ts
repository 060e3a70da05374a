import { ApplicationFailure, executeChild, proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { UploadStatus } from '../domain/upload-status';
import { DB_ACTIVITY_OPTIONS, FILE_ACTIVITY_OPTIONS } from './activity-options';
import { archiveSession } from './archive-session';
import { failureOf } from './failure-of';
import { archiveWorkflowId, prearchiveWorkflowId } from './workflow-ids';
import { DicomStatus } from './search-attributes';
import type { ImportUploadInput, ImportUploadResult } from './types';

const files = proxyActivities<Activities>(FILE_ACTIVITY_OPTIONS);
const db = proxyActivities<Activities>(DB_ACTIVITY_OPTIONS);

/**
 * Import an upload (XNAT's import service): unpack and validate, site pass, identify the sessions, then archive
 * each session through its own child workflow, or place the sessions in the prearchive (archiving those that
 * AA: or the project's prearchive code sends on). On any failure the upload's staging folder goes to quarantine
 * with the reason and the failure is re-thrown, so the run shows as failed in the Web UI.
 */
export async function importUpload(input: ImportUploadInput): Promise<ImportUploadResult> {
  const status = async (s: UploadStatus) => {
    upsertSearchAttributes([{ key: DicomStatus, value: s }]);
    await db.setUploadStatus({ uploadId: input.uploadId, status: s });
  };
  try {
    await status('UNPACKING');
    const unpacked = await files.unpackUpload({ uploadId: input.uploadId });
    await status('ANONYMIZING');
    await files.runSitePass({ uploadId: input.uploadId, skip: input.skipSitePass });
    const { groupIds, unassignedGroupIds } = await files.identifySessions({ uploadId: input.uploadId });
    const sessions: ImportUploadResult['sessions'] = [];
    const prearchived: ImportUploadResult['prearchived'] = [];
    const archive = async (groupId: string, overwrite: ImportUploadInput['overwrite']) => {
      const r = await executeChild(archiveSession, {
        workflowId: archiveWorkflowId(groupId),
        args: [{ uploadId: input.uploadId, groupId, overwrite }],
        typedSearchAttributes: workflowInfo().typedSearchAttributes,
        // Memo and summary are payloads, so the codec encrypts them; the Web UI shows them decoded.
        memo: { description: `Archive of session group ${groupId} of upload ${input.uploadId}` },
        staticSummary: `Archive session group ${groupId} (upload ${input.uploadId})`,
      });
      sessions.push({ sessionId: r.sessionId, url: r.url, added: r.added, unchanged: r.unchanged });
    };
    if (input.destination === 'prearchive') {
      // Prearchived sessions wait for a person, unless AA: or the project's code (4, 5) archives them at once.
      const placed = await files.prearchiveGroups({ uploadId: input.uploadId });
      for (const p of placed.sessions) {
        if (!p.autoArchive) {
          prearchived.push({ prearchiveId: p.prearchiveId, url: p.url, status: 'READY' });
          continue;
        }
        try {
          // Same workflow id as a person's commit of this session, so Temporal also keeps the two apart.
          const r = await executeChild(archiveSession, {
            workflowId: prearchiveWorkflowId(p.prearchiveId),
            args: [{ uploadId: input.uploadId, groupId: p.groupId, overwrite: p.overwrite, prearchiveId: p.prearchiveId }],
            typedSearchAttributes: workflowInfo().typedSearchAttributes,
          });
          sessions.push({ sessionId: r.sessionId, url: r.url, added: r.added, unchanged: r.unchanged });
        } catch (err) {
          // The upload itself succeeded: the session waits in the prearchive as CONFLICT or ERROR, with its reason.
          prearchived.push({ prearchiveId: p.prearchiveId, url: p.url, status: failureOf(err)?.type === 'SessionConflictError' ? 'CONFLICT' : 'ERROR' });
        }
      }
    } else {
      await status('ARCHIVING');
      // Only a study received over DICOM can reach here without a project: it cannot be archived, so, as in XNAT,
      // it waits in the Unassigned prearchive until a site admin moves it to a project.
      const unassigned = unassignedGroupIds;
      if (unassigned.length) {
        const placed = await files.prearchiveGroups({ uploadId: input.uploadId, groupIds: unassigned });
        for (const p of placed.sessions) prearchived.push({ prearchiveId: p.prearchiveId, url: p.url, status: 'READY' });
      }
      // A session that fails to archive is kept in the prearchive as ERROR or CONFLICT by its archiveSession run;
      // the upload's other sessions are still archived, and the upload then fails with the first reason.
      const toArchive = groupIds.filter((g) => !unassigned.includes(g));
      const failed: { type: string; message: string }[] = [];
      for (const groupId of toArchive) {
        try {
          await archive(groupId, input.overwrite);
        } catch (err) {
          failed.push(failureOf(err) ?? { type: 'InternalError', message: (err as Error).message });
        }
      }
      if (failed.length) {
        const message = toArchive.length === 1 ? failed[0].message : `${failed.length} of ${toArchive.length} sessions of upload ${input.uploadId} were not archived; the first: ${failed[0].message}`;
        throw ApplicationFailure.create({ type: failed[0].type, message, nonRetryable: true });
      }
    }
    await files.clearStaging({ uploadId: input.uploadId });
    const final = prearchived.length ? 'PREARCHIVED' : 'ARCHIVED';
    await status(final);
    return { uploadId: input.uploadId, status: final, files: unpacked.files, sessions, prearchived };
  } catch (err) {
    const failure = err as { message: string };
    // A child's or activity's failure wraps the application failure; its type is the domain error name.
    const cause = failureOf(err);
    upsertSearchAttributes([{ key: DicomStatus, value: 'ERROR' }]);
    await db.quarantineUpload({ uploadId: input.uploadId, errorType: cause?.type ?? 'InternalError', message: cause?.message ?? failure.message });
    if (cause) throw ApplicationFailure.create({ message: cause.message, type: cause.type, nonRetryable: true });
    throw err;
  }
}
