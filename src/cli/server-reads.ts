// What the upload client reads from the server before it sends anything: the scripts to run, and (to resume) what
// the target session already holds.

import { createHash } from 'node:crypto';
import { scriptUsesLookup, type LookupLayer } from '../anonymize/lookup-layers';
import type { StoredScript } from '../db/scripts-repo';

/** One script as GET /api/scripts/effective describes it. */
interface ScriptView {
  id: number;
  version: number;
  sha256: string;
  enabled: boolean;
  text: string;
}

/** The scripts the client runs, site first; the ones not in effect are left out. */
export interface ClientScripts {
  site?: StoredScript;
  project?: StoredScript;
  /** The lookup table layers the server's passes would read (fetched only when a script calls lookup). */
  lookup?: { site?: LookupLayer; project?: LookupLayer };
}

/**
 * Reads the scripts in effect for `project` from the server. The text is checked against its sha256 so that the
 * client never runs (and labels with that script's id) a text other than the one the server will check against.
 */
export async function fetchEffectiveScripts(base: string, project: string, token: string | undefined): Promise<ClientScripts> {
  let res: Response;
  try {
    res = await fetch(`${base}/api/scripts/effective?project=${encodeURIComponent(project)}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  } catch (err) {
    throw new Error(`cannot reach ${base} (${(err as Error).message}); is \`dicom-intake start\` running?`);
  }
  const { scripts, profiles } = (await readJson(res, `the scripts of project ${project}`)) as { scripts: { site: ScriptView | null; project: ScriptView | null }; profiles?: { site: boolean; project: boolean } };
  // The profile's keyed UID remap and date shift need the project's secret, which only the server holds: refused
  // here, before anything is read or sent (the server refuses such a claim too, client-claim-activity.ts).
  if (profiles?.site || profiles?.project) {
    const whose = [profiles.site && 'the site', profiles.project && `project ${project}`].filter(Boolean).join(' and ');
    throw Object.assign(
      new Error(`${whose} de-identif${profiles.site && profiles.project ? 'y' : 'ies'} with the PS3.15 profile, which needs a secret only the server holds, so it cannot run on this machine; upload without --anonymize-locally and the server runs the profile and scripts`),
      { status: 409 },
    );
  }
  const toStored = (v: ScriptView | null, scope: 'site' | 'project'): StoredScript | undefined => {
    if (!v?.enabled) return undefined;
    if (createHash('sha256').update(v.text).digest('hex') !== v.sha256) throw new Error(`the ${scope} script ${v.id} arrived damaged (its sha256 does not match); try again`);
    return { id: v.id, scope, projectId: scope === 'project' ? project : null, version: v.version, text: v.text, sha256: v.sha256, enabled: true };
  };
  const chosen: ClientScripts = { site: toStored(scripts.site, 'site'), project: toStored(scripts.project, 'project') };
  if (![chosen.site, chosen.project].some((x) => x !== undefined && scriptUsesLookup(x.text))) return chosen;
  return { ...chosen, lookup: await fetchLookupLayers(base, project, token) };
}

/** The body of a JSON response, or an error naming `what` with the server's reason. */
async function readJson(res: Response, what: string): Promise<unknown> {
  const body = await res.text();
  if (!res.ok) {
    let message = body.trim();
    try {
      message = (JSON.parse(body) as { error?: string }).error ?? message;
    } catch {
      // plain text
    }
    throw Object.assign(new Error(`the server did not give ${what} (HTTP ${res.status}): ${message}`), { status: res.status });
  }
  return JSON.parse(body);
}

/** The site and project lookup table layers for an upload to `project`, each checked against its sha256. */
async function fetchLookupLayers(base: string, project: string, token: string | undefined): Promise<{ site?: LookupLayer; project?: LookupLayer }> {
  const res = await fetch(`${base}/api/lookup-tables/effective?project=${encodeURIComponent(project)}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const body = (await readJson(res, `the lookup tables of project ${project}`)) as { site: LookupLayer | null; projectTable: LookupLayer | null };
  const checked = (layer: LookupLayer | null, which: string): LookupLayer | undefined => {
    if (layer === null) return undefined;
    if (createHash('sha256').update(layer.text).digest('hex') !== layer.sha256) throw new Error(`the ${which} lookup table arrived damaged (its sha256 does not match); try again`);
    return { text: layer.text, sha256: layer.sha256 };
  };
  return { site: checked(body.site, 'site'), project: checked(body.projectTable, 'project') };
}

/**
 * The archived instances of session `session` of `project`, as "sopUidHash sha256" pairs (empty when the session
 * does not exist yet): what a resumed upload need not send again.
 */
export async function fetchArchivedInstances(base: string, project: string, session: string, token: string | undefined): Promise<{ subject?: string; instances: Map<string, string> }> {
  const res = await fetch(`${base}/api/archive/projects/${encodeURIComponent(project)}/experiments/${encodeURIComponent(session)}/instances`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (res.status === 404) return { instances: new Map() };
  if (!res.ok) throw Object.assign(new Error(`the server did not list session ${session} of project ${project} (HTTP ${res.status})`), { status: res.status });
  const { subject, instances } = (await res.json()) as { subject: string; instances: { sopUidHash: string; sha256: string }[] };
  return { subject, instances: new Map(instances.map((i) => [i.sopUidHash, i.sha256])) };
}
