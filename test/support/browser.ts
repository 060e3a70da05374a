import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { lastStackBase } from './http';

/** Where page tests leave their screenshots (git-ignored; kept in the CI work folder). */
export const SCREENSHOTS = resolve(__dirname, '../../test-output/screenshots');

/**
 * Debian's Chromium, headless, driven by playwright-core (which downloads nothing when given the executable).
 * As root (CI) Chromium refuses to start without --no-sandbox.
 */
export async function launchBrowser(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'], timeout: 60_000 });
}

/** A fresh browser context (no cookies), with the pages' usual window size. */
export function newContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1280, height: 900 } });
}

/**
 * Signs a person in through the sign-in form (password, or an API token as the form accepts), so that the
 * context carries the session cookie. `base` defaults to the test stack started last in the file.
 */
export async function signInThroughForm(page: Page, login: string, secret: string, base = lastStackBase()): Promise<void> {
  await page.goto(`${base}/ui/login`);
  await page.fill('#login', login);
  await page.fill('#password', secret);
  const [answer] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/ui/login') && r.request().method() === 'POST'), page.click('#login-form button[type=submit]')]);
  if (answer.status() !== 303) throw new Error(`signing in as ${login} failed: HTTP ${answer.status()} ${await page.locator('#message').textContent().catch(() => '')}`);
  await page.waitForURL((u) => !u.pathname.startsWith('/ui/login'));
}

/** A browser context signed in through the form, as a person would: the session cookie is set. */
export async function signedIn(browser: Browser, login: string, secret: string, base = lastStackBase()): Promise<BrowserContext> {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signInThroughForm(page, login, secret, base);
  await page.close();
  return context;
}
