import { sameSecret } from '../auth/same-secret';
import type { IncomingMessage } from 'node:http';
import { principalFromHeader } from '../auth/accounts';
import { DEFAULT_WEB_SESSION_SETTINGS, readCookie, resolveWebSession, SESSION_COOKIE, type WebSessionSettings } from '../auth/web-session';
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

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Signs the request in, or answers 401. An Authorization header (Bearer token, or Basic with a password or token:
 * API and XNAT clients) wins; else the pages' session cookie, and then a state-changing request must also echo the
 * session's CSRF token in X-CSRF-Token (403 without it: SameSite=Strict alone is not relied on).
 */
export async function authenticate(repos: Repositories, req: IncomingMessage, web: WebSessionSettings = DEFAULT_WEB_SESSION_SETTINGS): Promise<Principal> {
  if (!req.headers.authorization) {
    const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
    // No WWW-Authenticate here: a browser would answer it with its own sign-in prompt instead of the page's form.
    if (cookie) {
      const found = await resolveWebSession(repos, cookie, web);
      if (!found) throw new HttpError(401, 'your sign-in has ended (signed out, expired or idle too long); sign in again at /ui/login');
      if (!SAFE_METHODS.has(req.method ?? 'GET') && !sameToken(req.headers['x-csrf-token'], found.session.csrfToken)) {
        throw new HttpError(403, 'this request changes something but carries no valid CSRF token (X-CSRF-Token); reload the page and try again');
      }
      return found.principal;
    }
  }
  const principal = await principalFromHeader(repos, req.headers.authorization);
  if (!principal) {
    const why = req.headers.authorization ? 'the credentials were not accepted (wrong password, or a revoked or unknown token)' : 'this endpoint needs a sign-in';
    throw new HttpError(401, `${why}: send "Authorization: Bearer TOKEN" or HTTP Basic with your login and a token or password`, {
      'www-authenticate': 'Basic realm="dicom-intake", charset="UTF-8"',
    });
  }
  return principal;
}

function sameToken(given: string | string[] | undefined, expected: string): boolean {
  return typeof given === 'string' && sameSecret(given, expected);
}

/**
 * A page opened without a (live) sign-in: the redirect to the sign-in form, coming back here afterwards. Undefined
 * for anything else (API calls keep their 401, scripts keep their answer).
 */
export function signInRedirect(err: unknown, req: IncomingMessage, url: URL): HttpError | undefined {
  if (!(err instanceof HttpError) || err.status !== 401 || req.headers.authorization) return undefined;
  if (!['GET', 'HEAD'].includes(req.method ?? '') || !/^\/ui(\/|$)/.test(url.pathname)) return undefined;
  return new HttpError(303, 'sign in first', { location: `/ui/login?next=${encodeURIComponent(url.pathname + url.search)}` });
}

// The roles a refusal names, so that the person knows what to ask for (roleAllows in domain/access.ts).
const ROLES_FOR_NEED: Readonly<Record<ProjectNeed, string>> = {
  read: 'needs a project role: collaborator, member or owner',
  write: 'needs the member or owner role',
  configure: 'needs the owner role',
};

/** Refuses with 403 unless the principal has `need` on the project. */
export function requireProjectAccess(principal: Principal, projectId: string, need: ProjectNeed): void {
  if (mayAccessProject(principal, projectId, need)) return;
  const what = projectId === 'Unassigned' ? 'Unassigned sessions are for site administrators' : `user ${principal.login} may not ${need} project ${projectId} (${ROLES_FOR_NEED[need]}); ask one of its owners for a role`;
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
