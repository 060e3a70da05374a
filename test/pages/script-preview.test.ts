import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDicom } from '../factories/dicom-builder';
import { studyZip } from '../factories/study-zip';
import { launchBrowser, SCREENSHOTS, signedIn } from '../support/browser';
import { http } from '../support/http';
import { startTestStack, type TestStack } from '../support/test-stack';

/** The preview table's rows as [path, vr, change, before, after]. */
async function changes(p: Page, table: string): Promise<string[][]> {
  const rows = p.locator(`#${table} tbody tr`);
  return Promise.all(Array.from({ length: await rows.count() }, (_, i) => rows.nth(i).locator('td').allTextContents()));
}

describe('script preview in the pages (headless Chromium)', () => {
  let stack: TestStack;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startTestStack();
    expect((await http(stack.baseUrl, 'PUT', '/data/projects/PRV1')).status).toBe(201);
    const { zip } = await studyZip({ patientName: 'Preview^Patient', patientId: 'PRV-0001', birthDate: '19600101' }, 2);
    expect((await http(stack.baseUrl, 'POST', '/data/services/import?import-handler=DICOM-zip&inbody=true&dest=/archive/projects/PRV1/subjects/PS1/experiments/PE1', zip, 'application/zip')).status).toBe(200);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('When a project owner previews the unsaved script on an uploaded file, then the page lists the changed tags and nothing is written', async () => {
    const sessionsBefore = (await stack.repos.archive.sessions()).length;
    const context = await signedIn(browser, 'admin', stack.adminPassword);
    const p = await context.newPage();
    await p.goto(`${stack.baseUrl}/ui/projects/PRV1`);
    await p.fill('#project-script', 'version "6.1"\n(0010,0010) := "PREVIEWED"\n(0008,1030) := project\n(0010,0030) := ""\n');
    const file = buildDicom({ elements: { PatientName: 'Upload^Preview', PatientBirthDate: '19700101', StudyDescription: 'before' } });
    await p.setInputFiles('#project-script-preview-file', { name: 'one.dcm', mimeType: 'application/dicom', buffer: file });
    await p.getByRole('button', { name: 'Preview', exact: true }).click();
    await expect.poll(() => p.locator('#message').textContent()).toMatch(/element\(s\) would change; nothing was written/);
    const rows = await changes(p, 'project-script-changes');
    expect(rows).toContainEqual(['(0010,0010)', 'PN', 'changed', 'Upload^Preview', 'PREVIEWED']);
    expect(rows).toContainEqual(['(0008,1030)', 'LO', 'changed', 'before', 'PRV1']);
    expect(rows).toContainEqual(['(0010,0030)', 'DA', 'changed', '19700101', '']);
    await p.screenshot({ path: join(SCREENSHOTS, 'script-preview.png'), fullPage: true });

    // Nothing saved, stored or left behind: same script version, no new session, empty staging.
    expect((await http(stack.baseUrl, 'GET', '/data/config/edit/projects/PRV1/image/dicom/script')).text).not.toContain('PREVIEWED');
    expect((await stack.repos.archive.sessions()).length).toBe(sessionsBefore);
    expect(await readdir(join(stack.dataDir, 'staging'))).toEqual([]);
    await context.close();
  });

  it('When the site admin previews the site script on the first file of an archived session, then the changed tags show with the session labels as variables', async () => {
    const context = await signedIn(browser, 'admin', stack.adminPassword);
    const p = await context.newPage();
    await p.goto(`${stack.baseUrl}/ui/site`);
    await p.fill('#site-script', 'version "6.1"\n(0010,0020) := session\n(0008,0080) := "PREVIEW INSTITUTION"\n');
    await p.selectOption('#site-script-preview-session', { label: 'PRV1 / PS1 / PE1' });
    await p.getByRole('button', { name: 'Preview', exact: true }).click();
    await expect.poll(() => p.locator('#site-script-changes tbody tr').count()).toBeGreaterThan(0);
    const rows = await changes(p, 'site-script-changes');
    expect(rows.find((r) => r[0] === '(0010,0020)')?.[4]).toBe('PE1');
    expect(rows.find((r) => r[0] === '(0008,0080)')?.[4]).toBe('PREVIEW INSTITUTION');
    await context.close();
  });

  it('When the preview request names a session of a project the user may not read, or has a broken script, then it is refused with a reason', async () => {
    expect((await http(stack.baseUrl, 'POST', '/api/users', JSON.stringify({ login: 'outsider', password: 'outsider-long-password' }), 'application/json')).status).toBe(201);
    const session = (await stack.repos.archive.sessionByLabel('PRV1', 'PE1'))!;
    const basic = `Basic ${Buffer.from('outsider:outsider-long-password').toString('base64')}`;
    const form = (fields: Record<string, string>) => {
      const f = new FormData();
      for (const [k, v] of Object.entries(fields)) f.set(k, v);
      return f;
    };
    const post = (auth: string, f: FormData) => fetch(`${stack.baseUrl}/api/scripts/preview`, { method: 'POST', headers: { authorization: auth }, body: f });
    expect((await post(basic, form({ script: 'version "6.1"\n(0010,0010) := "X"\n', session: session.id }))).status).toBe(403);
    const broken = await post(`Bearer ${stack.adminToken}`, form({ script: 'version "6.1"\n(0010,0010) := \n', session: session.id }));
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: string }).error).toMatch(/not valid/);
    expect((await post(`Bearer ${stack.adminToken}`, form({ script: 'version "6.1"\n' }))).status).toBe(400);
  });
});
