import { createArchiveActivities } from './archive-activities';
import { createAnonymizeActivities } from './anonymize-activities';
import type { ActivityDeps } from './deps';
import { createReceiveActivities } from './receive-activities';
import { createEditActivities } from './edit-activities';
import { createPrearchiveActivities } from './prearchive-activities';
import { createUploadActivities } from './upload-activities';

/** Every activity, closed over its dependencies. Workflows import only the TYPE of this function. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createUploadActivities(deps),
    ...createAnonymizeActivities(deps),
    ...createArchiveActivities(deps),
    ...createReceiveActivities(deps),
    ...createPrearchiveActivities(deps),
    ...createEditActivities(deps),
  };
}
/** The activity functions as registered with the worker. */
export type Activities = ReturnType<typeof createActivities>;
export type { ActivityDeps } from './deps';
