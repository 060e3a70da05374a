import type { EditableDataset } from '../anonymize/dataset';
import type { UploadParams } from '../db/uploads-repo';
import { identify, type Identification } from '../domain/identify';
import { readIdentificationHeader } from './dicom-header';
import type { ActivityDeps } from './deps';

/**
 * Identifies one file of an upload with the full precedence of reference §3.1: request parameters, the rules of
 * the receiver it came through, the site rules, then the header fields. Header values stay in memory.
 */
export function identifyFile(ds: EditableDataset, params: UploadParams, projectExists: (id: string) => boolean, routing: ActivityDeps['routing']): Identification {
  return identify(readIdentificationHeader(ds), params, projectExists, {
    site: routing?.site,
    receiver: params.receiverId ? routing?.receivers[params.receiverId] : undefined,
    valueOf: (tag) => ds.getString(tag),
  });
}
