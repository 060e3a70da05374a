import { AccountError, changePassword, createUser, issueToken, principalFromLogin } from '../auth/accounts';
import type { Repositories } from '../db/repositories';
import { roleOfXnatGroup, XNAT_GROUP_OF_ROLE } from '../domain/access';
import { onProject, SIGNED_IN, SITE_ADMIN } from './access';
import { readText, sendJson } from './http-io';
import { HttpError, type Router } from './router';

/** Reads a small JSON object body, refusing anything else with a 400 that says what was expected. */
export async function readJsonObject(req: Parameters<typeof readText>[0], expected: string): Promise<Record<string, unknown>> {
  const text = await readText(req, 64 * 1024);
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new HttpError(400, `the body must be a JSON object ${expected}`);
}

/** Users, API tokens and project roles: the project's JSON API plus XNAT's project-user endpoints. */
export function registerUserRoutes(router: Router, deps: { repos: Repositories }): void {
  const { repos } = deps;

  router.on('GET', '/api/me', SIGNED_IN, async ({ res, principal }) => sendJson(res, 200, principal));

  router.on('GET', '/api/users', SITE_ADMIN, async ({ res }) => sendJson(res, 200, await repos.users.list()));

  router.on('POST', '/api/users', SITE_ADMIN, async ({ req, res }) => {
    const body = await readJsonObject(req, '{"login": "…", "password": "…" (optional), "siteAdmin": false}');
    try {
      const user = await createUser(repos, {
        login: String(body.login ?? ''),
        password: body.password === undefined ? undefined : String(body.password),
        siteAdmin: body.siteAdmin === true,
      });
      sendJson(res, 201, user);
    } catch (err) {
      if (err instanceof AccountError) throw new HttpError(/exists/.test(err.message) ? 409 : 400, err.message);
      throw err;
    }
  });

  // A changed password ends every page session of the user (API tokens stay: they are revoked one by one). One's
  // own password needs the current one too, so that a borrowed session cannot take the account over.
  router.on('PUT', '/api/users/:login/password', SIGNED_IN, async ({ req, res, params, principal }) => {
    const body = await readJsonObject(req, '{"password": "…", "currentPassword": "…" (for your own)}');
    const self = params.login === principal.login;
    if (!self && !principal.siteAdmin) throw new HttpError(403, `only site administrators change another user's password`);
    const user = await repos.users.byLogin(params.login);
    if (!user) throw new HttpError(404, `user ${params.login} does not exist`);
    if (self && !principal.siteAdmin && !(await principalFromLogin(repos, user.login, String(body.currentPassword ?? '')))) {
      throw new HttpError(403, 'the current password (currentPassword) is wrong');
    }
    try {
      await changePassword(repos, user.id, String(body.password ?? ''));
    } catch (err) {
      if (err instanceof AccountError) throw new HttpError(400, err.message);
      throw err;
    }
    res.writeHead(204).end();
  });

  // A disabled account keeps its roles and audit trail; its sessions end and its password and tokens stop working.
  router.on('PUT', '/api/users/:login/disabled', SITE_ADMIN, async ({ req, res, params, principal }) => {
    const body = await readJsonObject(req, '{"disabled": true|false}');
    if (typeof body.disabled !== 'boolean') throw new HttpError(400, 'the body must be {"disabled": true} or {"disabled": false}');
    const user = await repos.users.byLogin(params.login);
    if (!user) throw new HttpError(404, `user ${params.login} does not exist`);
    if (user.id === principal.userId && body.disabled) throw new HttpError(409, 'you cannot disable your own account; ask another site administrator');
    await repos.users.setDisabled(user.id, body.disabled);
    sendJson(res, 200, { login: user.login, disabled: body.disabled });
  });

  // A token is shown once, in this answer; afterwards only its id is listed. A site admin may issue one for
  // another user (`?login=`), e.g. for a C-STORE gateway or a pipeline account.
  router.on('POST', '/api/tokens', SIGNED_IN, async ({ res, url, principal }) => {
    const login = url.searchParams.get('login');
    let userId = principal.userId;
    if (login && login !== principal.login) {
      if (!principal.siteAdmin) throw new HttpError(403, 'only site administrators issue tokens for other users');
      const user = await repos.users.byLogin(login);
      if (!user) throw new HttpError(404, `user ${login} does not exist`);
      userId = user.id;
    }
    sendJson(res, 201, await issueToken(repos, userId));
  });

  router.on('GET', '/api/tokens', SIGNED_IN, async ({ res, principal }) => sendJson(res, 200, await repos.users.tokens(principal.userId)));

  router.on('DELETE', '/api/tokens/:id', SIGNED_IN, async ({ res, params, principal }) => {
    const token = await repos.users.token(params.id);
    if (!token || (token.userId !== principal.userId && !principal.siteAdmin)) throw new HttpError(404, `token ${params.id} is not one of yours`);
    await repos.users.revokeToken(token.id);
    res.writeHead(204).end();
  });

  // XNAT: PUT/DELETE /data/projects/P/users/GROUP/LOGIN, GROUP one of Owners, Members, Collaborators.
  router.on('GET', '/data/projects/:p/users', onProject('p', 'read'), async ({ res, params }) => {
    const members = await repos.users.members(params.p);
    sendJson(res, 200, { ResultSet: { Result: members.map((m) => ({ login: m.login, displayname: XNAT_GROUP_OF_ROLE[m.role], role: m.role })) } });
  });
  router.on('PUT', '/data/projects/:p/users/:group/:login', onProject('p', 'configure'), async ({ res, params }) => {
    const role = roleOfXnatGroup(params.group);
    if (!role) throw new HttpError(400, `group ${params.group} is not one of Owners, Members, Collaborators`);
    if (!(await repos.projects.get(params.p))) throw new HttpError(404, `project ${params.p} does not exist`);
    const user = await repos.users.byLogin(params.login);
    if (!user) throw new HttpError(404, `user ${params.login} does not exist; a site administrator creates users (POST /api/users)`);
    await repos.users.setRole(user.id, params.p, role);
    sendJson(res, 200, { login: user.login, project: params.p, role });
  });
  router.on('DELETE', '/data/projects/:p/users/:group/:login', onProject('p', 'configure'), async ({ res, params }) => {
    const user = await repos.users.byLogin(params.login);
    if (user) await repos.users.removeRole(user.id, params.p);
    res.writeHead(204).end();
  });
}
