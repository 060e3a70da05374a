import { proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { FILE_ACTIVITY_OPTIONS } from './activity-options';
import { DicomStatus } from './search-attributes';
import type { ArchiveSessionInput, ArchiveSessionResult } from './types';

const acts = proxyActivities<Activities>(FILE_ACTIVITY_OPTIONS);

/**
 * Archive a session: run the project pass once, check for conflicts, move the files into the archive and write
 * the catalog and the audit record. Each step is idempotent, so a crash anywhere resumes without losing or
 * repeating a file or a pass. Its workflow id names the session group, so one group is archived by one run.
 */
export async function archiveSession(input: ArchiveSessionInput): Promise<ArchiveSessionResult> {
  // The run starts with its parent's search attributes (DicomStatus ARCHIVING); its own end is mirrored here so
  // that a visibility query by status finds the session's workflow too, not only the upload's.
  try {
    const projectPass = await acts.runProjectPass({ uploadId: input.uploadId, groupId: input.groupId });
    const committed = await acts.commitGroupToArchive(input);
    upsertSearchAttributes([{ key: DicomStatus, value: 'ARCHIVED' }]);
    return { ...committed, projectPass };
  } catch (err) {
    upsertSearchAttributes([{ key: DicomStatus, value: 'ERROR' }]);
    throw err;
  }
}
