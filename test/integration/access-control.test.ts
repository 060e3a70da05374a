import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http } from '../support/http';
import { startTestStack, type TestStack } from '../support/test-stack';

const SCRIPT = 'version "6.1"\n(0010,0010) := subject\n';
const basic = (login: string, secret: string) => `Basic ${Buffer.from(`${login}:${secret}`).toString('base64')}`;

describe('access control', () => {
  let stack: TestStack;
  const tokens: Record<string, string> = {};
  const as = (who: string) => `Bearer ${tokens[who]}`;

  beforeAll(async () => {
    stack = await startTestStack();
    expect((await http(stack.baseUrl, 'PUT', '/data/projects/ACP')).status).toBe(201);
    for (const login of ['olivia', 'mike', 'carol', 'stranger']) {
      const created = await http(stack.baseUrl, 'POST', '/api/users', JSON.stringify({ login, password: `${login}-long-password` }), 'application/json');
      expect(created.status).toBe(201);
      const issued = await http(stack.baseUrl, 'POST', '/api/tokens', undefined, undefined, basic(login, `${login}-long-password`));
      expect(issued.status).toBe(201);
      tokens[login] = JSON.parse(issued.text).token;
    }
    for (const [group, login] of [['Owners', 'olivia'], ['Members', 'mike'], ['Collaborators', 'carol']]) {
      expect((await http(stack.baseUrl, 'PUT', `/data/projects/ACP/users/${group}/${login}`)).status).toBe(200);
    }
  });
  afterAll(async () => stack?.stop());

  it('When no credentials are sent, then every endpoint but health answers 401 with the schemes to use', async () => {
    const closed: [string, string][] = [
      ['GET', '/data/projects'],
      ['PUT', '/data/projects/NEW'],
      ['GET', '/data/projects/ACP'],
      ['GET', '/xapi/anonymize/site'],
      ['PUT', '/xapi/anonymize/site'],
      ['GET', '/data/config/edit/projects/ACP/image/dicom/script'],
      ['POST', '/data/services/import?import-handler=DICOM-zip&dest=/archive/projects/ACP'],
      ['POST', '/api/uploads?dest=/archive/projects/ACP'],
      ['POST', '/api/scripts/check'],
      ['GET', '/api/users'],
      ['POST', '/api/tokens'],
      ['GET', '/data/archive/projects/ACP/subjects/S/experiments/E'],
    ];
    for (const [method, path] of closed) {
      const res = await http(stack.baseUrl, method, path, method === 'GET' ? undefined : 'x', 'text/plain', null);
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="dicom-intake"/);
      expect(JSON.parse(res.text).error).toContain('Authorization: Bearer TOKEN');
    }
    expect((await http(stack.baseUrl, 'GET', '/health', undefined, undefined, null)).status).toBe(200);
  });

  it('When a user signs in with Basic and a password, Basic and a token, or Bearer, then each works; a wrong secret does not', async () => {
    const me = (auth: string) => http(stack.baseUrl, 'GET', '/api/me', undefined, undefined, auth);
    expect(JSON.parse((await me(basic('mike', 'mike-long-password'))).text)).toMatchObject({ login: 'mike', siteAdmin: false, roles: { ACP: 'member' } });
    expect((await me(basic('mike', tokens.mike))).status).toBe(200);
    expect((await me(as('mike'))).status).toBe(200);
    expect((await me(basic('mike', 'wrong-password!!'))).status).toBe(401);
    expect((await me(basic('carol', tokens.mike))).status).toBe(401); // someone else's token
  });

  it('When a token is revoked, then it stops working at once and its secret was never stored', async () => {
    const issued = JSON.parse((await http(stack.baseUrl, 'POST', '/api/tokens', undefined, undefined, as('carol'))).text);
    const listed = await http(stack.baseUrl, 'GET', '/api/tokens', undefined, undefined, as('carol'));
    expect(listed.text).toContain(issued.id);
    expect(listed.text).not.toContain(issued.token);
    const rows = JSON.stringify(await stack.db('tokens').select());
    expect(rows).not.toContain(issued.token);
    expect(JSON.stringify(await stack.db('users').select())).not.toContain('carol-long-password');
    expect((await http(stack.baseUrl, 'DELETE', `/api/tokens/${issued.id}`, undefined, undefined, as('stranger'))).status).toBe(404);
    expect((await http(stack.baseUrl, 'DELETE', `/api/tokens/${issued.id}`, undefined, undefined, as('carol'))).status).toBe(204);
    expect((await http(stack.baseUrl, 'GET', '/api/me', undefined, undefined, `Bearer ${issued.token}`)).status).toBe(401);
  });

  it('When each role acts on the project, then owners configure, members upload, collaborators read and strangers get nothing', async () => {
    const scriptPath = '/data/config/edit/projects/ACP/image/dicom/script';
    const setScript = (who: string) => http(stack.baseUrl, 'PUT', scriptPath, SCRIPT, 'text/plain', as(who));
    expect([(await setScript('olivia')).status, (await setScript('mike')).status, (await setScript('carol')).status, (await setScript('stranger')).status]).toEqual([200, 403, 403, 403]);
    const readScript = (who: string) => http(stack.baseUrl, 'GET', scriptPath, undefined, undefined, as(who));
    expect([(await readScript('carol')).status, (await readScript('stranger')).status]).toEqual([200, 403]);

    // Uploading is checked before the body is stored: an empty body answers 400 to a member, 403 to a collaborator.
    const upload = (who: string) => http(stack.baseUrl, 'POST', '/api/uploads?import-handler=DICOM-zip&inbody=true&dest=/archive/projects/ACP', Buffer.alloc(0), 'application/zip', as(who));
    expect([(await upload('mike')).status, (await upload('carol')).status, (await upload('stranger')).status]).toEqual([400, 403, 403]);
    const refused = await upload('carol');
    expect(JSON.parse(refused.text).error).toBe('user carol may not write project ACP (needs the member or owner role); ask one of its owners for a role');

    const list = async (who: string) => JSON.parse((await http(stack.baseUrl, 'GET', '/data/projects', undefined, undefined, as(who))).text).ResultSet.Result.map((p: { ID: string }) => p.ID);
    expect(await list('carol')).toEqual(['ACP']);
    expect(await list('stranger')).toEqual([]);
    expect((await http(stack.baseUrl, 'PUT', '/data/projects/ACP?name=Renamed', undefined, undefined, as('mike'))).status).toBe(403);
    expect((await http(stack.baseUrl, 'PUT', '/data/projects/ACP/users/Members/stranger', undefined, undefined, as('mike'))).status).toBe(403);
    expect((await http(stack.baseUrl, 'PUT', '/data/projects/ACP/users/Members/stranger', undefined, undefined, as('olivia'))).status).toBe(200);
    expect((await http(stack.baseUrl, 'GET', '/data/projects/ACP', undefined, undefined, as('stranger'))).status).toBe(200);
  });

  it('When a user creates a project, then they own it; site settings and user management stay with site admins', async () => {
    expect((await http(stack.baseUrl, 'PUT', '/data/projects/CAROLS', undefined, undefined, as('carol'))).status).toBe(201);
    expect((await http(stack.baseUrl, 'PUT', '/data/config/edit/projects/CAROLS/image/dicom/script', SCRIPT, 'text/plain', as('carol'))).status).toBe(200);
    expect((await http(stack.baseUrl, 'PUT', '/xapi/anonymize/site', SCRIPT, 'text/plain', as('olivia'))).status).toBe(403);
    expect((await http(stack.baseUrl, 'GET', '/xapi/anonymize/site', undefined, undefined, as('carol'))).status).not.toBe(403);
    expect((await http(stack.baseUrl, 'POST', '/api/users', JSON.stringify({ login: 'eve' }), 'application/json', as('olivia'))).status).toBe(403);
    expect((await http(stack.baseUrl, 'POST', '/api/tokens?login=mike', undefined, undefined, as('olivia'))).status).toBe(403);
    const short = await http(stack.baseUrl, 'POST', '/api/users', JSON.stringify({ login: 'eve', password: 'short' }), 'application/json');
    expect([short.status, JSON.parse(short.text).error]).toEqual([400, 'the password must have at least 12 characters']);
  });
});
