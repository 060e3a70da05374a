import { ApplicationFailure, executeChild, proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { UploadStatus } from '../domain/upload-status';
import { DB_ACTIVITY_OPTIONS, FILE_ACTIVITY_OPTIONS } from './activity-options';
import { archiveSession } from './archive-session';
import { DicomStatus } from './search-attributes';
import type { ImportUploadInput, ImportUploadResult } from './types';

const files = proxyActivities<Activities>(FILE_ACTIVITY_OPTIONS);
const db = proxyActivities<Activities>(DB_ACTIVITY_OPTIONS);

/**
 * Import an upload (XNAT's import service): unpack and validate, site pass, identify the sessions, then archive
 * each session through its own child workflow. On any failure the upload's staging folder goes to quarantine
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
    const { groupIds } = await files.identifySessions({ uploadId: input.uploadId });
    if (input.destination === 'prearchive') {
      // The prearchive lifecycle is its own issue; until it lands, a prearchive upload is refused up front by
      // the API, so reaching here is a programming error.
      throw ApplicationFailure.nonRetryable('prearchive destination is not implemented yet', 'NotImplemented');
    }
    await status('ARCHIVING');
    const sessions: ImportUploadResult['sessions'] = [];
    for (const groupId of groupIds) {
      const r = await executeChild(archiveSession, {
        workflowId: `archive-${groupId}`,
        args: [{ uploadId: input.uploadId, groupId, overwrite: input.overwrite }],
        typedSearchAttributes: workflowInfo().typedSearchAttributes,
        // Memo and summary are payloads, so the codec encrypts them; the Web UI shows them decoded.
        memo: { description: `Archive of session group ${groupId} of upload ${input.uploadId}` },
        staticSummary: `Archive session group ${groupId} (upload ${input.uploadId})`,
      });
      sessions.push({ sessionId: r.sessionId, url: r.url, added: r.added, unchanged: r.unchanged });
    }
    await files.clearStaging({ uploadId: input.uploadId });
    await status('ARCHIVED');
    return { uploadId: input.uploadId, status: 'ARCHIVED', files: unpacked.files, sessions };
  } catch (err) {
    const failure = err as { type?: string; cause?: { type?: string; message?: string }; message: string };
    // A child's or activity's failure wraps the application failure; its type is the domain error name.
    const cause = findApplicationFailure(err);
    upsertSearchAttributes([{ key: DicomStatus, value: 'ERROR' }]);
    await db.quarantineUpload({ uploadId: input.uploadId, errorType: cause?.type ?? 'InternalError', message: cause?.message ?? failure.message });
    if (cause) throw ApplicationFailure.create({ message: cause.message, type: cause.type, nonRetryable: true });
    throw err;
  }
}

function findApplicationFailure(err: unknown): { type: string; message: string } | undefined {
  let e = err as { type?: unknown; message?: string; cause?: unknown } | undefined;
  while (e) {
    if (typeof e.type === 'string' && e.type) return { type: e.type, message: e.message ?? '' };
    e = e.cause as typeof e;
  }
  return undefined;
}
