/**
 * The lookup tables one pass sees, built from the stored layers: the site's tables for the site pass; for the
 * project pass the site's tables with the project's on top (a project table replaces the site table of the same
 * name, whole: entries are not mixed across owners). The digest names the exact versions, for the pass record.
 */
import { createHash } from 'node:crypto';
import type { Diagnostic } from './errors';
import { parseLookupTables, type LookupTables } from './functions/lookup-table';

/** One stored layer: its text and the text's SHA-256. */
export interface LookupLayer {
  readonly text: string;
  readonly sha256: string;
}

/** The tables a pass runs with, and a digest of the layer versions they came from. */
export interface PassLookupTables {
  readonly tables: LookupTables;
  readonly sha256: string;
}

/** Merges the layers, lowest first (site, then project); undefined when there is no layer. */
export function layerLookupTables(site: LookupLayer | undefined, project: LookupLayer | undefined): PassLookupTables | undefined {
  if (site === undefined && project === undefined) return undefined;
  const tables = new Map(site === undefined ? [] : parseLookupTables(site.text));
  if (project !== undefined) for (const [name, entries] of parseLookupTables(project.text)) tables.set(name, entries);
  const sha256 = createHash('sha256').update(`site:${site?.sha256 ?? '-'}|project:${project?.sha256 ?? '-'}`).digest('hex');
  return { tables, sha256 };
}

/** True when a script calls lookup[...] (only then are tables loaded and recorded with its pass). */
export function scriptUsesLookup(text: string): boolean {
  return /\blookup\s*\[/.test(text);
}

/** Number of entries in a lookup file (for listings; validates it like the engine does). */
export function countLookupEntries(text: string): number {
  let n = 0;
  for (const entries of parseLookupTables(text).values()) n += entries.size;
  return n;
}

/**
 * Warnings for lookup["name", ...] calls whose literal table name is not among `tables` (a pass would fail on that
 * file with "no lookup table named ..."). Names computed at run time are not checked.
 */
export function lookupTableDiagnostics(text: string, tables: LookupTables): Diagnostic[] {
  const out: Diagnostic[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const code = line.replace(/\/\/.*$/, '');
    for (const m of code.matchAll(/\blookup\s*\[\s*"([^"]*)"/g)) {
      if (tables.has(m[1]!)) continue;
      out.push({ line: index + 1, column: (m.index ?? 0) + 1, severity: 'warning', code: 'UNKNOWN_LOOKUP_TABLE', message: `no lookup table named "${m[1]}" is stored for this pass; upload it (dicom-intake scripts lookup set) or the pass fails on every file` });
    }
  });
  return out;
}
