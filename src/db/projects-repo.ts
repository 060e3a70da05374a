import type { Knex } from 'knex';
import { nowIso } from './clock';
import { ensureSecret } from './secrets-repo';

/** A project as the rest of the code sees it. */
export interface Project {
  id: string;
  name: string | null;
  prearchiveCode: number;
  anonEnabled: boolean;
}

interface ProjectRow {
  id: string;
  name: string | null;
  prearchive_code: number;
  anon_enabled: number | boolean;
}

const toProject = (r: ProjectRow): Project => ({
  id: r.id,
  name: r.name,
  prearchiveCode: r.prearchive_code,
  anonEnabled: Boolean(r.anon_enabled),
});

/** Projects table access. */
export function createProjectsRepo(db: Knex) {
  return {
    async get(id: string): Promise<Project | undefined> {
      const row = await db<ProjectRow>('projects').where({ id }).first();
      return row ? toProject(row) : undefined;
    },
    async list(): Promise<Project[]> {
      return (await db<ProjectRow>('projects').orderBy('id')).map(toProject);
    },
    /** Creates the project, or updates its name and settings when it exists. */
    async upsert(p: { id: string; name?: string; prearchiveCode?: number; anonEnabled?: boolean }): Promise<Project> {
      const existing = await db('projects').where({ id: p.id }).first();
      const fields = {
        ...(p.name !== undefined && { name: p.name }),
        ...(p.prearchiveCode !== undefined && { prearchive_code: p.prearchiveCode }),
        ...(p.anonEnabled !== undefined && { anon_enabled: p.anonEnabled }),
      };
      if (existing) {
        if (Object.keys(fields).length) await db('projects').where({ id: p.id }).update(fields);
      } else {
        await db('projects').insert({ id: p.id, created_at: nowIso(), ...fields });
        // The project's de-identification secret (secrets-repo.ts), made with the project.
        await ensureSecret(db, { scope: 'project', projectId: p.id });
      }
      return (await this.get(p.id))!;
    },
  };
}
/** The projects repository. */
export type ProjectsRepo = ReturnType<typeof createProjectsRepo>;
