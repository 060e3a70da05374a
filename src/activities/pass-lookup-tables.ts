/**
 * The lookup tables a pass runs with, read from the database by the activity itself: their contents are PHI-bearing
 * maps, so workflows never carry them (not even encoded); a pass records only the digest of the versions it used.
 */
import { createHash } from 'node:crypto';
import { layerLookupTables, scriptUsesLookup, type PassLookupTables } from '../anonymize/lookup-layers';
import type { StoredLookupTable } from '../db/lookup-tables-repo';
import type { Repositories } from '../db/repositories';
import type { StoredScript } from '../db/scripts-repo';
import { contextDigest, type ScriptContext } from './script-runner';

// Parsed tables by layer digest: a pass over a thousand files parses its tables once.
const parsed = new Map<string, PassLookupTables>();
const MAX_CACHED = 16;

/**
 * The tables for `script` in a site pass (the site's) or a project pass (the site's with the project's on top);
 * undefined when the script does not call lookup or no table is stored.
 */
export async function lookupTablesForPass(repos: Pick<Repositories, 'lookupTables'>, script: StoredScript, kind: 'site' | 'project', projectId: string | null): Promise<PassLookupTables | undefined> {
  if (!scriptUsesLookup(script.text)) return undefined;
  const site = await repos.lookupTables.current('site', null);
  const project = kind === 'project' && projectId !== null ? await repos.lookupTables.current('project', projectId) : undefined;
  return layered(site, project);
}

/** The current table versions of a project pass (site, project), to pin with an edit. */
export async function currentLookupIds(repos: Pick<Repositories, 'lookupTables'>, projectId: string): Promise<{ siteId: number | null; projectId: number | null }> {
  return { siteId: (await repos.lookupTables.current('site', null))?.id ?? null, projectId: (await repos.lookupTables.current('project', projectId))?.id ?? null };
}

/** The tables of pinned versions (an edit's re-pass and apply step); undefined when the script does not call lookup. */
export async function pinnedLookupTables(repos: Pick<Repositories, 'lookupTables'>, script: StoredScript, ids: { siteId: number | null; projectId: number | null }): Promise<PassLookupTables | undefined> {
  if (!scriptUsesLookup(script.text)) return undefined;
  const site = ids.siteId === null ? undefined : await repos.lookupTables.byId(ids.siteId);
  const project = ids.projectId === null ? undefined : await repos.lookupTables.byId(ids.projectId);
  return layered(site, project);
}

function layered(site: StoredLookupTable | undefined, project: StoredLookupTable | undefined): PassLookupTables | undefined {
  const key = `${site?.sha256 ?? '-'}|${project?.sha256 ?? '-'}`;
  let tables = parsed.get(key);
  if (tables === undefined) {
    tables = layerLookupTables(site, project);
    if (tables === undefined) return undefined;
    if (parsed.size >= MAX_CACHED) parsed.delete(parsed.keys().next().value!);
    parsed.set(key, tables);
  }
  return tables;
}

/**
 * The context part of a pass's exactly-once key: the variables, and the lookup table versions when the script used
 * them (a new table version is a new pass; without tables the digest is the plain context digest, as before).
 */
export function passContextDigest(ctx: ScriptContext, lookup: PassLookupTables | undefined): string {
  const base = contextDigest(ctx);
  return lookup === undefined ? base : createHash('sha256').update(`${base}|lookup:${lookup.sha256}`).digest('hex');
}
