import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

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

/** A browser context signed in with HTTP Basic, as a person answering the browser's sign-in prompt. */
export function signedIn(browser: Browser, login: string, secret: string): Promise<BrowserContext> {
  return browser.newContext({ httpCredentials: { username: login, password: secret }, viewport: { width: 1280, height: 900 } });
}
