import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDicom } from '../../src/dicom';
import { studyZip } from '../factories/study-zip';
import { launchBrowser, SCREENSHOTS, signedIn } from '../support/browser';
import { freePort } from '../support/free-port';
import { http } from '../support/http';
import { runScu } from '../support/storescu';
import { startTestStack, type TestStack } from '../support/test-stack';

const SITE_SCRIPT = 'version "6.1"\n(0010,0010) := subject\n(0010,0020) := session\n';
const PROJECT_SCRIPT = 'version "6.1"\n(0008,1030) := project\n';

describe('web pages in headless Chromium', () => {
  let stack: TestStack;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startTestStack();
    expect((await http(stack.baseUrl, 'PUT', '/data/projects/WEB1?name=Web%20study')).status).toBe(201);
    expect((await http(stack.baseUrl, 'PUT', '/xapi/anonymize/site', SITE_SCRIPT)).status).toBe(200);
    expect((await http(stack.baseUrl, 'PUT', '/data/config/edit/projects/WEB1/image/dicom/script', PROJECT_SCRIPT)).status).toBe(200);
    const { zip } = await studyZip({ patientName: 'Web^Patient', patientId: 'WEB-0001', birthDate: '19500101' }, 3);
    const res = await http(stack.baseUrl, 'POST', '/data/services/import?import-handler=DICOM-zip&inbody=true&dest=/archive/projects/WEB1/subjects/WS1/experiments/WE1', zip, 'application/zip');
    expect(res.status).toBe(200);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('When the site admin opens a project, edits and checks its script and changes its archive setting, then the page shows each result', async () => {
    const context = await signedIn(browser, 'admin', stack.adminPassword);
    const p = await context.newPage();
    await p.goto(`${stack.baseUrl}/ui`);
    await expect.poll(() => p.locator('#projects tbody tr').count()).toBe(1);
    expect(await p.locator('#projects tbody tr td').nth(1).textContent()).toBe('Web study');
    await p.screenshot({ path: join(SCREENSHOTS, 'projects.png'), fullPage: true });

    await p.click('text=WEB1');
    await p.waitForURL('**/ui/projects/WEB1');
    // A script with an error: Check reports it with line and column, and nothing is saved.
    await p.fill('#project-script', 'version "6.1"\n(0010,0010) := \n');
    await p.click('button:has-text("Check")');
    await expect.poll(() => p.locator('#message').textContent()).toMatch(/line 2/);
    await p.fill('#project-script', 'version "6.1"\n(0008,1030) := project\n(0008,0080) := "ANON"\n');
    await p.click('button:has-text("Check")');
    await expect.poll(() => p.locator('#message').getAttribute('class')).toBe('msg ok');
    await p.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => p.locator('h2', { hasText: 'Project anonymization script' }).textContent()).toContain('version 2');
    expect((await http(stack.baseUrl, 'GET', '/data/config/edit/projects/WEB1/image/dicom/script')).text).toContain('"ANON"');

    await p.selectOption('#archive-setting', '0');
    await p.click('button:has-text("Save setting")');
    await expect.poll(async () => JSON.parse((await http(stack.baseUrl, 'GET', '/data/projects/WEB1')).text).prearchiveCode).toBe(0);
    await p.click('button:has-text("Turn off")');
    await expect.poll(() => p.locator('.status').textContent()).toBe('off');
    await p.screenshot({ path: join(SCREENSHOTS, 'project-settings.png'), fullPage: true });
    await context.close();
  });

  it('When a session page is opened, then it lists every file with the site and project script versions and the audit trail', async () => {
    const context = await signedIn(browser, 'admin', stack.adminPassword);
    const p = await context.newPage();
    await p.goto(`${stack.baseUrl}/ui/projects/WEB1/subjects/WS1/experiments/WE1`);
    const rows = p.locator('#files tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    for (let i = 0; i < 3; i++) {
      const cells = await rows.nth(i).locator('td').allTextContents();
      expect(cells[4]).toMatch(/^script \d+ v1$/);
      expect(cells[5]).toMatch(/^script \d+ v1$/);
      expect(cells[4]).not.toBe(cells[5]);
    }
    expect(await p.locator('#audit tbody tr').count()).toBeGreaterThan(0);
    // Sorting by size then by file name reorders without losing rows.
    await p.click('#files th:has-text("File")');
    expect(await rows.count()).toBe(3);
    expect(await p.content()).not.toContain('Web^Patient');
    await p.screenshot({ path: join(SCREENSHOTS, 'session.png'), fullPage: true });
    await context.close();
  });

  it('When a person reviews a prearchived session and archives it from the pages, then it leaves the prearchive and its files carry both passes', async () => {
    expect((await http(stack.baseUrl, 'PUT', '/data/projects/WEB2?prearchive_code=0')).status).toBe(201);
    expect((await http(stack.baseUrl, 'PUT', '/data/config/edit/projects/WEB2/image/dicom/script', PROJECT_SCRIPT)).status).toBe(200);
    const { zip } = await studyZip({ patientName: 'Review^Patient', patientId: 'REV-0001', birthDate: '19600101' }, 2);
    const up = await http(stack.baseUrl, 'POST', '/data/services/import?import-handler=DICOM-zip&inbody=true&dest=/prearchive/projects/WEB2&SUBJECT_ID=PS1&EXPT_LABEL=PE1', zip, 'application/zip');
    expect(up.status).toBe(200);
    expect(up.text).toContain('/prearchive/projects/WEB2/');

    const context = await signedIn(browser, 'admin', stack.adminPassword);
    const p = await context.newPage();
    await p.goto(`${stack.baseUrl}/ui/prearchive`);
    const row = p.locator('#prearchive tbody tr', { hasText: 'PE1' });
    expect(await row.locator('.status').textContent()).toBe('READY');
    await row.locator('a', { hasText: 'PE1' }).click();
    await p.waitForURL('**/ui/prearchive/*');
    expect(await p.locator('#scans tbody tr td').allTextContents()).toEqual(['1', '2']);
    expect(await p.locator('#passes').textContent()).toMatch(/2 of 2 files, script \d+/);
    await p.screenshot({ path: join(SCREENSHOTS, 'prearchive-details.png'), fullPage: true });
    await p.getByRole('button', { name: 'Archive', exact: true }).click();
    await p.waitForURL('**/ui/prearchive');
    expect(await p.locator('#prearchive tbody tr', { hasText: 'PE1' }).count()).toBe(0);

    await p.goto(`${stack.baseUrl}/ui/projects/WEB2/subjects/PS1/experiments/PE1`);
    const files = p.locator('#files tbody tr');
    expect(await files.count()).toBe(2);
    for (let i = 0; i < 2; i++) {
      const cells = await files.nth(i).locator('td').allTextContents();
      expect([cells[4], cells[5]].every((c) => /^script \d+ v1$/.test(c))).toBe(true);
    }
    expect(await p.content()).not.toContain('Review^Patient');
    await p.screenshot({ path: join(SCREENSHOTS, 'archived-after-review.png'), fullPage: true });
    await context.close();
  });

  it('When a member uploads a zip from the project page and relabels the session from its page, then the archive and the headers follow', async () => {
    expect((await http(stack.baseUrl, 'PUT', '/data/projects/WEB3')).status).toBe(201);
    expect((await http(stack.baseUrl, 'PUT', '/data/config/edit/projects/WEB3/image/dicom/script', 'version "6.1"\n(0010,0020) := session\n')).status).toBe(200);
    const context = await signedIn(browser, 'admin', stack.adminPassword);
    const p = await context.newPage();
    await p.goto(`${stack.baseUrl}/ui/projects/WEB3`);
    const { zip } = await studyZip({ patientName: 'Upload^Patient', patientId: 'UP-0001', birthDate: '19550101' }, 2);
    await p.setInputFiles('#up-file', { name: 'study.zip', mimeType: 'application/zip', buffer: zip });
    await p.fill('#up-subject', 'US1');
    await p.fill('#up-session', 'UE1');
    await p.getByRole('button', { name: 'Upload', exact: true }).click();
    await expect.poll(() => p.locator('#message').textContent(), { timeout: 60_000 }).toContain('/data/archive/projects/WEB3/subjects/US1/experiments/UE1');

    await p.goto(`${stack.baseUrl}/ui/projects/WEB3/subjects/US1/experiments/UE1`);
    await p.fill('#edit-session', 'UE1_RELABELLED');
    await p.getByRole('button', { name: 'Relabel session', exact: true }).click();
    await p.waitForURL('**/experiments/UE1_RELABELLED', { timeout: 60_000 });
    expect(await p.locator('#files tbody tr').count()).toBe(2);
    // The page follows each file back through both project passes to the site pass.
    for (const cells of await Promise.all([0, 1].map((i) => p.locator('#files tbody tr').nth(i).locator('td').allTextContents()))) {
      expect(cells[4]).toMatch(/^script \d+ v\d+$/);
      expect(cells[5]).toMatch(/^script \d+ v1 \(2 runs: archive and edits\)$/);
    }
    const session = (await stack.repos.archive.sessionByLabel('WEB3', 'UE1_RELABELLED'))!;
    for (const i of await stack.repos.archive.instances(session.id)) {
      const ds = await openDicom(stack.store.path(i.objectKey));
      expect(ds.getString(0x00100020)).toBe('UE1_RELABELLED'); // the project script writes the session label
      expect(ds.getDeidentificationMethodCodes()).toHaveLength(3); // site, project, project again for the edit
    }
    await p.screenshot({ path: join(SCREENSHOTS, 'session-after-relabel.png'), fullPage: true });
    await context.close();
  });

  it('When a collaborator signs in, then the site settings are not offered and are refused, and configuring is not offered', async () => {
    await http(stack.baseUrl, 'POST', '/api/users', JSON.stringify({ login: 'collab', password: 'collab-long-password' }), 'application/json');
    await http(stack.baseUrl, 'PUT', '/data/projects/WEB1/users/Collaborators/collab');
    const context = await signedIn(browser, 'collab', 'collab-long-password');
    const p = await context.newPage();
    await p.goto(`${stack.baseUrl}/ui/projects`);
    expect(await p.locator('header').textContent()).not.toContain('Site settings');
    await p.goto(`${stack.baseUrl}/ui/projects/WEB1`);
    expect(await p.locator('#project-script').count()).toBe(0);
    expect(await p.locator('#archive-setting').isDisabled()).toBe(true);
    const refused = await p.goto(`${stack.baseUrl}/ui/site`);
    expect(refused?.status()).toBe(403);
    await context.close();
  });

  it('When the site admin turns the site script off from the site page, then the API reports it off', async () => {
    const context = await signedIn(browser, 'admin', stack.adminPassword);
    const p = await context.newPage();
    await p.goto(`${stack.baseUrl}/ui/site`);
    await p.click('button:has-text("Turn off")');
    await expect.poll(async () => (await http(stack.baseUrl, 'GET', '/xapi/anonymize/site/enabled')).text).toBe('false');
    await p.screenshot({ path: join(SCREENSHOTS, 'site-settings.png'), fullPage: true });
    await context.close();
  });

  it('When the site admin adds a receiver with the form on the site page and then edits its allow-list, then the service listens at once and follows the edit', async () => {
    const port = await freePort();
    const context = await signedIn(browser, 'admin', stack.adminToken);
    const p = await context.newPage();
    await p.goto(`${stack.baseUrl}/ui/site`);
    await p.fill('#rx-new [name="aeTitle"]', 'PAGE_RX');
    await p.fill('#rx-new [name="port"]', String(port));
    await p.fill('#rx-new [name="allowedCallingAeTitles"]', 'PAGE1, PAGE2');
    await p.selectOption('#rx-new [name="destination"]', 'prearchive');
    await p.fill('#rx-new [name="routing.project"]', '(0008,0050):^(WEB1)$');
    await p.click('button:has-text("Add receiver")');
    await p.waitForSelector('#receivers td:has-text("PAGE_RX")');
    const listed = async () => JSON.parse((await http(stack.baseUrl, 'GET', '/api/receivers')).text).receivers.find((r: { aeTitle: string }) => r.aeTitle === 'PAGE_RX');
    expect(await listed()).toMatchObject({ port, destination: 'prearchive', allowedCallingAeTitles: ['PAGE1', 'PAGE2'], anonymizationEnabled: true, enabled: true, running: true, routing: { project: ['(0008,0050):^(WEB1)$'] } });
    expect((await runScu('echoscu', { port, callingAe: 'PAGE1', calledAe: 'PAGE_RX' }).done).code).toBe(0);

    const id = (await listed()).id as string;
    await p.click(`#edit-${id} summary`);
    await p.fill(`#rx-${id} [name="allowedCallingAeTitles"]`, 'PAGE2');
    await p.click(`button:has-text("Save PAGE_RX")`);
    await expect.poll(async () => (await listed()).allowedCallingAeTitles).toEqual(['PAGE2']);
    expect(await listed()).toMatchObject({ port, destination: 'prearchive', routing: { project: ['(0008,0050):^(WEB1)$'] } });
    expect((await runScu('echoscu', { port, callingAe: 'PAGE1', calledAe: 'PAGE_RX' }).done).code).not.toBe(0);
    expect((await runScu('echoscu', { port, callingAe: 'PAGE2', calledAe: 'PAGE_RX' }).done).code).toBe(0);
    await p.screenshot({ path: join(SCREENSHOTS, 'site-receivers.png'), fullPage: true });
    await context.close();
  });

  it('When the site admin saves site routing rules with the form on the site page, then the API serves them and a bad rule is refused on the page', async () => {
    const context = await signedIn(browser, 'admin', stack.adminToken);
    const p = await context.newPage();
    await p.goto(`${stack.baseUrl}/ui/site`);
    await p.fill('#site-routing [name="project"]', '(0008,0050):^WEBRT-(.*)$\n(0020,0010):^(WEB2)$');
    await p.fill('#site-routing [name="session"]', '(0008,1030):^S-(.*)$');
    await p.click('button:has-text("Save routing rules")');
    const routing = async () => JSON.parse((await http(stack.baseUrl, 'GET', '/api/routing')).text) as { source: string; rules: Record<string, string[]> };
    await expect.poll(async () => (await routing()).source).toBe('database');
    expect((await routing()).rules).toEqual({ project: ['(0008,0050):^WEBRT-(.*)$', '(0020,0010):^(WEB2)$'], subject: [], session: ['(0008,1030):^S-(.*)$'] });
    await p.waitForSelector('#site-routing textarea[name="project"]');
    await p.fill('#site-routing [name="subject"]', '(0010,0020');
    await p.click('button:has-text("Save routing rules")');
    await p.waitForSelector('#message.err');
    expect(await p.textContent('#message')).toMatch(/HTTP 400: subject rule 1/);
    expect((await routing()).rules.subject).toEqual([]);
    await context.close();
  });
  it('When the site admin sets a project profile with the form, then the API has it; a recipient saved once is kept by later saves that leave it empty and removed with the checkbox; bad rules are refused on the page', async () => {
    const context = await signedIn(browser, 'admin', stack.adminToken);
    const p = await context.newPage();
    const profile = async () => JSON.parse((await http(stack.baseUrl, 'GET', '/api/projects/WEB1/profile')).text) as { version: number; options: string; pixelRules: string | null; encryptTo: { kind: string; keyId?: string } | null };
    await p.goto(`${stack.baseUrl}/ui/projects/WEB1`);
    await p.fill('#project-profile [name="options"]', 'basic,clean-descriptors');
    await p.fill('#project-profile [name="encryptTo"]', `kek:0a0b:${'5e'.repeat(32)}`);
    await p.click('button:has-text("Save profile")');
    await expect.poll(async () => (await profile()).version).toBe(1);
    expect(await profile()).toMatchObject({ options: 'basic,clean-descriptors', pixelRules: null, encryptTo: { kind: 'kek', keyId: '0a0b' } });
    await p.waitForSelector('#project-profile [name="removeEncryptTo"]');
    expect(await p.textContent('body')).not.toContain('5e5e5e'); // the key is never shown

    await p.fill('#project-profile [name="options"]', 'basic,clean-pixel-data');
    await p.fill('#project-profile [name="pixelRules"]', '{not json');
    await p.click('button:has-text("Save profile")');
    await p.waitForSelector('#message.err');
    expect(await p.textContent('#message')).toMatch(/HTTP 400: profile setting refused: pixel-cleaning rules: not JSON/);
    expect((await profile()).version).toBe(1);

    const rules = JSON.stringify({ rules: [{ when: { Modality: 'US' }, rectangles: [{ left: 0, top: 0, right: 640, bottom: 60 }] }] });
    await p.fill('#project-profile [name="pixelRules"]', rules);
    await p.click('button:has-text("Save profile")');
    await expect.poll(async () => (await profile()).version).toBe(2);
    expect(await profile()).toMatchObject({ options: 'basic,clean-pixel-data', pixelRules: rules, encryptTo: { kind: 'kek', keyId: '0a0b' } });

    await p.waitForSelector('#project-profile [name="removeEncryptTo"]');
    await p.fill('#project-profile [name="options"]', 'basic');
    await p.check('#project-profile [name="removeEncryptTo"]');
    await p.click('button:has-text("Save profile")');
    await expect.poll(async () => (await profile()).version).toBe(3);
    expect(await profile()).toMatchObject({ options: 'basic', pixelRules: null, encryptTo: null });
    await p.screenshot({ path: join(SCREENSHOTS, 'project-profile.png'), fullPage: true });
    await context.close();
  });
});
