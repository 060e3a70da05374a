import { proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { FILE_ACTIVITY_OPTIONS } from './activity-options';
import type { PurgeVersionsInput } from './types';

const files = proxyActivities<Activities>(FILE_ACTIVITY_OPTIONS);

/** Keeps the file versions an edit superseded for the retention time (a durable timer), then purges them, audited. */
export async function purgeVersions(input: PurgeVersionsInput): Promise<{ purged: number }> {
  await sleep(input.retentionSeconds * 1000);
  return files.purgeEditVersions({ editId: input.editId });
}
