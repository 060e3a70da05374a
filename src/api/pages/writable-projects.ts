import type { Repositories } from '../../db/repositories';
import { mayAccessProject, type Principal } from '../../domain/access';

/** The ids of the projects the principal may write to: the choices of a "move to project" selector. */
export async function writableProjects(repos: Repositories, principal: Principal): Promise<string[]> {
  return (await repos.projects.list()).map((p) => p.id).filter((p) => mayAccessProject(principal, p, 'write'));
}
