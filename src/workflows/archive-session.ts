import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { FILE_ACTIVITY_OPTIONS } from './activity-options';
import type { ArchiveSessionInput, ArchiveSessionResult } from './types';

const acts = proxyActivities<Activities>(FILE_ACTIVITY_OPTIONS);

/**
 * Archive a session: run the project pass once, check for conflicts, move the files into the archive and write
 * the catalog and the audit record. Each step is idempotent, so a crash anywhere resumes without losing or
 * repeating a file or a pass. Its workflow id names the session group, so one group is archived by one run.
 */
export async function archiveSession(input: ArchiveSessionInput): Promise<ArchiveSessionResult> {
  const projectPass = await acts.runProjectPass({ uploadId: input.uploadId, groupId: input.groupId });
  const committed = await acts.commitGroupToArchive(input);
  return { ...committed, projectPass };
}
