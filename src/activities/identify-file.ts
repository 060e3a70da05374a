import type { EditableDataset } from '../anonymize/dataset';
import type { Repositories } from '../db/repositories';
import type { UploadParams } from '../db/uploads-repo';
import { identify, type Identification, type RoutingRuleSets } from '../domain/identify';
import { parseRoutingRuleSets, type RoutingRuleLines } from '../domain/routing-rules';
import { readIdentificationHeader } from './dicom-header';

/** The routing rules that apply to an upload: the site's, and those of the receiver it came through. */
export interface UploadRouting {
  site?: RoutingRuleSets;
  receiver?: RoutingRuleSets;
}

/**
 * Loads the rules for an upload once: the receiver's from its registered record, and the site's in effect (saved
 * by a site admin through PUT /api/routing, else `configured`, the configuration's).
 */
export async function routingForUpload(repos: Repositories, params: UploadParams, configured: RoutingRuleLines | undefined): Promise<UploadRouting> {
  const rx = params.receiverId ? await repos.receivers.get(params.receiverId) : undefined;
  const site = parseRoutingRuleSets((await repos.siteRouting.inEffect(configured)).rules);
  return { site, receiver: rx && parseRoutingRuleSets(rx.routing) };
}

/**
 * Identifies one file of an upload with the full precedence of reference §3.1: request parameters, the rules of
 * the receiver it came through, the site rules, then the header fields. Header values stay in memory.
 */
export function identifyFile(ds: EditableDataset, params: UploadParams, projectExists: (id: string) => boolean, routing: UploadRouting): Identification {
  return identify(readIdentificationHeader(ds), params, projectExists, { ...routing, valueOf: (tag) => ds.getString(tag) });
}
