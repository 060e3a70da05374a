import { createHash } from 'node:crypto';
import { nowIso } from './clock';
import type { ScriptScope } from './scripts-repo';

/**
 * The columns of a new version of a site- or project-scoped text (scripts, lookup tables): every save is a new row
 * numbered after the current one, so records made with an older version keep pointing at its exact text.
 */
export function newVersionRow(scope: ScriptScope, projectId: string | null, current: { version: number } | undefined, text: string) {
  return {
    scope,
    project_id: scope === 'site' ? null : projectId,
    version: (current?.version ?? 0) + 1,
    text,
    sha256: textSha256(text),
    created_at: nowIso(),
  };
}

/** The SHA-256 of a stored text, as recorded beside it. */
export function textSha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The where-clause of a scope: the site row, or one project's rows. */
export const scopeWhere = (scope: ScriptScope, projectId: string | null) => (scope === 'site' ? { scope } : { scope, project_id: projectId });
