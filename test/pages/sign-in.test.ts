import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext, SCREENSHOTS, signedIn, signInThroughForm } from '../support/browser';
import { http } from '../support/http';
import { startTestStack, type TestStack } from '../support/test-stack';

/** Posts the sign-in form as a browser would, without following the redirect. */
async function postLogin(base: string, login: string, password: string, headers: Record<string, string> = {}, next = '/ui/projects') {
  return fetch(`${base}/ui/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ login, password, next }).toString(),
  });
}

const cookieValue = (setCookie: string[], name: string) => setCookie.find((c) => c.startsWith(`${name}=`))?.split(';')[0].slice(name.length + 1);

describe('signing in to the pages: form, session cookie, CSRF token, sign-out and expiry', () => {
  let stack: TestStack;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startTestStack();
    expect((await http(stack.baseUrl, 'POST', '/api/users', JSON.stringify({ login: 'reader', password: 'reader-long-password' }), 'application/json')).status).toBe(201);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('When a page is opened without a sign-in, then the form is shown and signing in returns to that page; a foreign "next" is ignored', async () => {
    const context = await newContext(browser);
    const p = await context.newPage();
    await p.goto(`${stack.baseUrl}/ui/prearchive`);
    expect(new URL(p.url()).pathname).toBe('/ui/login');
    expect(new URL(p.url()).searchParams.get('next')).toBe('/ui/prearchive');
    await p.fill('#login', 'admin');
    await p.fill('#password', stack.adminPassword);
    await p.click('#login-form button[type=submit]');
    await p.waitForURL('**/ui/prearchive');
    expect(await p.locator('#who').textContent()).toBe('admin');
    expect(await p.locator('#sign-out').isVisible()).toBe(true);
    // The form again while signed in: straight on.
    await p.goto(`${stack.baseUrl}/ui/login?next=/ui/prearchive`);
    expect(new URL(p.url()).pathname).toBe('/ui/prearchive');

    for (const next of ['//evil.example/ui', 'https://evil.example/ui/projects', '/\\evil.example', '/data/projects']) {
      const res = await postLogin(stack.baseUrl, 'admin', stack.adminPassword, {}, next);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/ui/projects');
    }
    await context.close();
  });

  it('When the password is wrong or the user unknown, then the form says so in the same words and no cookie is set; repeated failures are refused', async () => {
    const context = await newContext(browser);
    const p = await context.newPage();
    await p.goto(`${stack.baseUrl}/ui/login`);
    await p.fill('#login', 'reader');
    await p.fill('#password', 'not-the-password');
    const [answer] = await Promise.all([p.waitForResponse((r) => r.url().endsWith('/ui/login') && r.request().method() === 'POST'), p.click('#login-form button[type=submit]')]);
    expect(answer.status()).toBe(401);
    expect(await p.locator('#message').textContent()).toBe('Wrong user or password.');
    expect(await context.cookies()).toEqual([]);
    await p.screenshot({ path: join(SCREENSHOTS, 'sign-in-failed.png'), fullPage: true });

    const unknown = await postLogin(stack.baseUrl, 'nobody-here', 'not-the-password');
    expect(unknown.status).toBe(401);
    expect(await unknown.text()).toContain('Wrong user or password.');
    expect(unknown.headers.getSetCookie()).toEqual([]);

    // Five failures of one login from one address, then even the right password waits.
    expect((await http(stack.baseUrl, 'POST', '/api/users', JSON.stringify({ login: 'guessed', password: 'guessed-long-password' }), 'application/json')).status).toBe(201);
    for (let i = 0; i < 5; i++) expect((await postLogin(stack.baseUrl, 'guessed', `wrong-${i}`)).status).toBe(401);
    const locked = await postLogin(stack.baseUrl, 'guessed', 'guessed-long-password');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another login from the same address is not locked out by them.
    expect((await postLogin(stack.baseUrl, 'reader', 'reader-long-password')).status).toBe(303);
    await context.close();
  });

  it('When a person signs in, then the cookie is HttpOnly, SameSite=Strict, Path=/ and Secure only behind https', async () => {
    const plain = await postLogin(stack.baseUrl, 'reader', 'reader-long-password');
    const [session, csrf] = plain.headers.getSetCookie();
    expect(session).toMatch(/^dicom_intake_session=[A-Za-z0-9_-]{40,}; HttpOnly; Path=\/; SameSite=Strict; Max-Age=43200$/);
    expect(csrf).toMatch(/^dicom_intake_csrf=[A-Za-z0-9_-]{30,}; Path=\/; SameSite=Strict; Max-Age=43200$/);
    const proxied = await postLogin(stack.baseUrl, 'reader', 'reader-long-password', { 'x-forwarded-proto': 'https' });
    for (const c of proxied.headers.getSetCookie()) expect(c).toContain('; Secure');
    // Only the hash of the cookie value is stored.
    const value = cookieValue(plain.headers.getSetCookie(), 'dicom_intake_session')!;
    const rows = await stack.db('web_sessions').select('token_hash');
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain(value);
  });

  it('When a state-changing call carries the session cookie but no CSRF token, then it is refused with 403; with the token it works', async () => {
    const context = await signedIn(browser, 'admin', stack.adminPassword);
    const p = await context.newPage();
    await p.goto(`${stack.baseUrl}/ui/projects`);
    const without = await p.evaluate(async () => (await fetch('/data/projects/CSRF1', { method: 'PUT' })).status);
    expect(without).toBe(403);
    const wrong = await p.evaluate(async () => (await fetch('/data/projects/CSRF1', { method: 'PUT', headers: { 'x-csrf-token': 'guess' } })).status);
    expect(wrong).toBe(403);
    expect((await http(stack.baseUrl, 'GET', '/data/projects/CSRF1')).status).toBe(404);
    // The page's own button sends the token.
    await p.fill('#new-project', 'CSRF1');
    await p.click('button:has-text("Create")');
    await expect.poll(async () => (await http(stack.baseUrl, 'GET', '/data/projects/CSRF1')).status).toBe(200);
    await context.close();
  });

  it('When a person signs out, then the old cookie no longer signs anything in', async () => {
    const context = await signedIn(browser, 'reader', 'reader-long-password');
    const old = (await context.cookies()).find((c) => c.name === 'dicom_intake_session')!.value;
    expect((await fetch(`${stack.baseUrl}/api/me`, { headers: { cookie: `dicom_intake_session=${old}` } })).status).toBe(200);
    const p = await context.newPage();
    await p.goto(`${stack.baseUrl}/ui/projects`);
    await p.click('#sign-out');
    await p.waitForURL('**/ui/login');
    expect((await context.cookies()).filter((c) => c.value)).toEqual([]);
    const replayed = await fetch(`${stack.baseUrl}/api/me`, { headers: { cookie: `dicom_intake_session=${old}` } });
    expect(replayed.status).toBe(401);
    expect(replayed.headers.get('www-authenticate')).toBeNull();
    const page = await fetch(`${stack.baseUrl}/ui/projects`, { redirect: 'manual', headers: { cookie: `dicom_intake_session=${old}` } });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/ui/login?next=%2Fui%2Fprojects');
    await context.close();
  });

  it('When the session has expired or been idle too long, then the next page asks to sign in again', async () => {
    const context = await signedIn(browser, 'reader', 'reader-long-password');
    const p = await context.newPage();
    await p.goto(`${stack.baseUrl}/ui/projects`);
    expect(new URL(p.url()).pathname).toBe('/ui/projects');
    const userId = (await stack.repos.users.byLogin('reader'))!.id;
    await stack.db('web_sessions').where({ user_id: userId }).update({ expires_at: new Date(Date.now() - 1000).toISOString() });
    await p.goto(`${stack.baseUrl}/ui/projects`);
    expect(new URL(p.url()).pathname).toBe('/ui/login');

    await signInThroughForm(p, 'reader', 'reader-long-password');
    expect(new URL(p.url()).pathname).toBe('/ui/projects');
    await stack.db('web_sessions').where({ user_id: userId }).update({ last_seen_at: new Date(Date.now() - 31 * 60_000).toISOString() });
    await p.goto(`${stack.baseUrl}/ui/prearchive`);
    expect(new URL(p.url()).pathname).toBe('/ui/login');
    await context.close();
  });

  it("When a user's password changes or the account is disabled, then the user's sessions end", async () => {
    const body = (x: unknown) => JSON.stringify(x);
    expect((await http(stack.baseUrl, 'POST', '/api/users', body({ login: 'changer', password: 'changer-password-1' }), 'application/json')).status).toBe(201);
    const first = cookieValue((await postLogin(stack.baseUrl, 'changer', 'changer-password-1')).headers.getSetCookie(), 'dicom_intake_session');
    const me = (c: string | undefined) => fetch(`${stack.baseUrl}/api/me`, { headers: { cookie: `dicom_intake_session=${c}` } }).then((r) => r.status);
    expect(await me(first)).toBe(200);
    expect((await http(stack.baseUrl, 'PUT', '/api/users/changer/password', body({ password: 'changer-password-2' }), 'application/json')).status).toBe(204);
    expect(await me(first)).toBe(401);
    expect((await postLogin(stack.baseUrl, 'changer', 'changer-password-1')).status).toBe(401);

    const second = cookieValue((await postLogin(stack.baseUrl, 'changer', 'changer-password-2')).headers.getSetCookie(), 'dicom_intake_session');
    expect(await me(second)).toBe(200);
    expect((await http(stack.baseUrl, 'PUT', '/api/users/changer/disabled', body({ disabled: true }), 'application/json')).status).toBe(200);
    expect(await me(second)).toBe(401);
    const refused = await postLogin(stack.baseUrl, 'changer', 'changer-password-2');
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain('Wrong user or password.');
    expect((await http(stack.baseUrl, 'PUT', '/api/users/admin/disabled', body({ disabled: true }), 'application/json')).status).toBe(409);
  });

  it('When an API or XNAT client sends Basic or a bearer token, then it still works without a cookie', async () => {
    const basic = `Basic ${Buffer.from(`admin:${stack.adminPassword}`).toString('base64')}`;
    expect((await http(stack.baseUrl, 'GET', '/data/projects', undefined, undefined, basic)).status).toBe(200);
    expect((await http(stack.baseUrl, 'PUT', '/data/projects/BASIC1', undefined, undefined, basic)).status).toBe(201);
    expect((await http(stack.baseUrl, 'GET', '/api/me', undefined, undefined, `Bearer ${stack.adminToken}`)).status).toBe(200);
    const none = await http(stack.baseUrl, 'GET', '/data/projects', undefined, undefined, null);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic/);
  });
});
