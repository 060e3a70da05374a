import type { IncomingMessage } from 'node:http';
import { principalFromHeader } from '../auth/accounts';
import type { Repositories } from '../db/repositories';
import { assertNever } from '../domain/assert-never';
import { mayAccessProject, type Principal, type ProjectNeed } from '../domain/access';
import { HttpError } from './router';

/**
 * Who may call a route. Every route declares one (the router's type requires it), so no endpoint is open by
 * omission: `public` is written out where it is meant (health checks).
 */
export type Access =
  | { readonly kind: 'public' }
  /** Any signed-in user; the handler applies finer rules (e.g. a project named in the query). */
  | { readonly kind: 'user' }
  | { readonly kind: 'site-admin' }
  /** A right on the project named by a path parameter. */
  | { readonly kind: 'project'; readonly param: string; readonly need: ProjectNeed };

/** No sign-in needed. */
export const PUBLIC: Access = { kind: 'public' };
/** Any signed-in user. */
export const SIGNED_IN: Access = { kind: 'user' };
/** Site administrators only. */
export const SITE_ADMIN: Access = { kind: 'site-admin' };
/** A right on the project named by path parameter `param`. */
export const onProject = (param: string, need: ProjectNeed): Access => ({ kind: 'project', param, need });

/** The principal of a public request. */
export const ANONYMOUS: Principal = Object.freeze({ userId: '', login: 'anonymous', siteAdmin: false, roles: {} });

/** Signs the request in, or answers 401 with the schemes we accept. */
export async function authenticate(repos: Repositories, req: IncomingMessage): Promise<Principal> {
  const principal = await principalFromHeader(repos, req.headers.authorization);
  if (!principal) {
    const why = req.headers.authorization ? 'the credentials were not accepted (wrong password, or a revoked or unknown token)' : 'this endpoint needs a sign-in';
    throw new HttpError(401, `${why}: send "Authorization: Bearer TOKEN" or HTTP Basic with your login and a token or password`, {
      'www-authenticate': 'Basic realm="dicom-intake", charset="UTF-8"',
    });
  }
  return principal;
}

/** Refuses with 403 unless the principal has `need` on the project. */
export function requireProjectAccess(principal: Principal, projectId: string, need: ProjectNeed): void {
  if (mayAccessProject(principal, projectId, need)) return;
  const what = projectId === 'Unassigned' ? 'Unassigned sessions are for site administrators' : `user ${principal.login} may not ${need} project ${projectId}; ask one of its owners for a role`;
  throw new HttpError(403, what);
}

/** Applies a route's declared access to a signed-in principal. */
export function authorize(access: Access, principal: Principal, params: Record<string, string>): void {
  switch (access.kind) {
    case 'public':
    case 'user':
      return;
    case 'site-admin':
      if (!principal.siteAdmin) throw new HttpError(403, `user ${principal.login} is not a site administrator; this is a site setting`);
      return;
    case 'project':
      requireProjectAccess(principal, params[access.param], access.need);
      return;
    default:
      assertNever(access);
  }
}
