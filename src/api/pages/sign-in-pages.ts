import type { IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { principalFromLogin } from '../../auth/accounts';
import { LoginThrottle } from '../../auth/login-throttle';
import { DEFAULT_WEB_SESSION_SETTINGS, endWebSession, readCookie, resolveWebSession, SESSION_COOKIE, sessionCookies, startWebSession, type WebSessionSettings } from '../../auth/web-session';
import type { Repositories } from '../../db/repositories';
import { PUBLIC, SIGNED_IN } from '../access';
import { readText } from '../http-io';
import type { Router } from '../router';
import { html, SafeHtml } from './html';
import { PAGE_STYLE, sendPage } from './layout';

// A failed sign-in answers a little later (on top of the password hash's own cost): it slows guessing without
// locking anyone out; the throttle refuses a login and address pair after repeated failures.
const FAILURE_DELAY_MS = 400;

/** Where to go after signing in: a page of this site under /ui, never another origin ("//evil", "/\\evil", "https:…"). */
export function safeNext(next: string | null | undefined): string {
  if (!next || !/^\/ui(\/|\?|$)/.test(next) || /[\\\s]/.test(next) || next.startsWith('//')) return '/ui/projects';
  const url = new URL(next, 'http://local.invalid');
  return url.origin === 'http://local.invalid' && /^\/ui(\/|$)/.test(url.pathname) ? url.pathname + url.search : '/ui/projects';
}

function loginPage(next: string, error?: string, login = ''): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in · dicom-intake</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${new SafeHtml(PAGE_STYLE)}</style></head>
<body><header><strong>dicom-intake</strong></header>
<main><h1>Sign in</h1>${error ? html`<div id="message" class="msg err" role="alert">${error}</div>` : ''}
<form method="post" action="/ui/login" id="login-form">
<input type="hidden" name="next" value="${next}">
<p><label>User <input name="login" id="login" autocomplete="username" required value="${login}" autofocus></label></p>
<p><label>Password <input name="password" id="password" type="password" autocomplete="current-password" required></label></p>
<p><button type="submit">Sign in</button></p></form>
<p class="muted">The first start of the service prints the site admin's password; a site admin creates other users.</p></main></body></html>`.text;
}

/** True when the browser reached us over https (directly, or through a proxy that says so). */
function overHttps(req: IncomingMessage, web: WebSessionSettings): boolean {
  return web.secureCookie || Boolean((req.socket as { encrypted?: boolean }).encrypted) || req.headers['x-forwarded-proto'] === 'https';
}

/** The sign-in form, the session it starts (cookie) and sign-out. */
export function registerSignInPages(router: Router, deps: { repos: Repositories; web?: WebSessionSettings }): void {
  const { repos } = deps;
  const web = deps.web ?? DEFAULT_WEB_SESSION_SETTINGS;
  const throttle = new LoginThrottle();

  // Already signed in (a second tab, the back button): straight on to where the form would have led.
  router.on('GET', '/ui/login', PUBLIC, async ({ req, res, url }) => {
    const next = safeNext(url.searchParams.get('next'));
    const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (cookie && (await resolveWebSession(repos, cookie, web))) return void res.writeHead(303, { location: next, 'cache-control': 'no-store' }).end();
    sendPage(res, loginPage(next));
  });

  router.on('POST', '/ui/login', PUBLIC, async ({ req, res, log }) => {
    const form = new URLSearchParams(await readText(req, 16 * 1024));
    const login = (form.get('login') ?? '').trim();
    const next = safeNext(form.get('next'));
    const address = req.socket.remoteAddress ?? '';
    const wait = throttle.retryAfterSeconds(login, address);
    if (wait > 0) {
      res.setHeader('retry-after', String(wait));
      return sendPage(res, loginPage(next, `Too many failed sign-ins; try again in ${Math.ceil(wait / 60)} minute(s).`, login), 429);
    }
    const principal = login ? await principalFromLogin(repos, login, form.get('password') ?? '') : undefined;
    if (!principal) {
      throttle.failed(login, address);
      await sleep(FAILURE_DELAY_MS);
      // The same words whether the login exists or not (and for a disabled account): no user enumeration.
      log.info({ event: 'sign-in failed' }, 'sign-in');
      return sendPage(res, loginPage(next, 'Wrong user or password.', login), 401);
    }
    throttle.succeeded(login, address);
    const { cookieValue, session } = await startWebSession(repos, principal.userId, web);
    log.info({ event: 'signed in', userId: principal.userId }, 'sign-in');
    res.setHeader('set-cookie', sessionCookies({ cookieValue, csrfToken: session.csrfToken, maxAgeSeconds: web.maxAgeSeconds }, overHttps(req, web)));
    res.writeHead(303, { location: next, 'cache-control': 'no-store' }).end();
  });

  // A POST with the CSRF token (the header's Sign out button); the session row is deleted, so a copied cookie is dead.
  router.on('POST', '/ui/logout', SIGNED_IN, async ({ req, res }) => {
    const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (cookie) await endWebSession(repos, cookie);
    res.setHeader('set-cookie', sessionCookies(undefined, overHttps(req, web)));
    res.writeHead(204, { 'cache-control': 'no-store' }).end();
  });
}
