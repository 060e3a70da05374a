import { assertNever } from './assert-never';

/** XNAT's project roles: owners configure, members upload and edit, collaborators read. */
export const PROJECT_ROLES = ['owner', 'member', 'collaborator'] as const;
/** One project role. */
export type ProjectRole = (typeof PROJECT_ROLES)[number];

/** What a request needs on a project. */
export const PROJECT_NEEDS = ['read', 'write', 'configure'] as const;
/** One project need. */
export type ProjectNeed = (typeof PROJECT_NEEDS)[number];

/** XNAT's group names in `/data/projects/P/users/GROUP/LOGIN`, by role. */
export const XNAT_GROUP_OF_ROLE: Readonly<Record<ProjectRole, string>> = { owner: 'Owners', member: 'Members', collaborator: 'Collaborators' };

/** Who is asking: a signed-in user with site-wide and per-project rights. No PHI: ids, a login, roles. */
export interface Principal {
  userId: string;
  login: string;
  siteAdmin: boolean;
  roles: Readonly<Record<string, ProjectRole>>;
}

/** True when `role` grants `need` on its project. */
export function roleAllows(role: ProjectRole | undefined, need: ProjectNeed): boolean {
  if (!role) return false;
  switch (need) {
    case 'read':
      return true;
    case 'write':
      return role === 'owner' || role === 'member';
    case 'configure':
      return role === 'owner';
    default:
      return assertNever(need);
  }
}

/** True when the principal may do `need` on `projectId`; site admins may do everything, Unassigned is theirs only. */
export function mayAccessProject(principal: Principal, projectId: string, need: ProjectNeed): boolean {
  if (principal.siteAdmin) return true;
  if (projectId === 'Unassigned') return false;
  return roleAllows(principal.roles[projectId], need);
}

/** The role named by an XNAT group ('Owners', 'members', 'collaborator', …), or undefined. */
export function roleOfXnatGroup(group: string): ProjectRole | undefined {
  const g = group.toLowerCase().replace(/s$/, '');
  return (PROJECT_ROLES as readonly string[]).includes(g) ? (g as ProjectRole) : undefined;
}
