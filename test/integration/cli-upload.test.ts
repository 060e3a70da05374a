import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipBuffers } from '../../src/storage/zip-write';
import { buildDicom, syntheticUid } from '../factories/dicom-builder';
import { http } from '../support/http';
import { startTestStack, type TestStack } from '../support/test-stack';

const execFileAsync = promisify(execFile);
const CLI = join(__dirname, '../../bin/dicom-intake.js');

describe('dicom-intake upload', () => {
  let stack: TestStack;
  let zipPath: string;
  // The CLI signs in with DICOM_INTAKE_TOKEN, as a script on the server would.
  const run = (cmd: string, args: string[], token: string | undefined = stack.adminToken) =>
    execFileAsync(cmd, args, { env: { ...process.env, DICOM_INTAKE_TOKEN: token ?? '' } });
  beforeAll(async () => {
    stack = await startTestStack();
    await http(stack.baseUrl, 'PUT', '/data/projects/CLI1');
    const study = syntheticUid();
    const files = [1, 2].map((n) => buildDicom({ elements: { StudyInstanceUID: study, SOPInstanceUID: `${study}.${n}`, InstanceNumber: String(n) } }));
    zipPath = join(stack.dataDir, 'cli-upload.zip');
    await writeFile(zipPath, await zipBuffers(files.map((data, i) => ({ name: `${i}.dcm`, data }))));
  });
  afterAll(async () => stack?.stop());

  it('When a zip is uploaded with --json, then the output parses and names the archive URL of the session', async () => {
    const { stdout } = await run('node', [CLI, 'upload', zipPath, '--project', 'CLI1', '--subject', 'S1', '--session', 'E1', '--url', stack.baseUrl, '--json']);
    expect(JSON.parse(stdout)).toEqual({ ok: true, status: 200, urls: ['/data/archive/projects/CLI1/subjects/S1/experiments/E1'] });
    expect(await stack.store.list('archive/CLI1/S1/E1')).toHaveLength(2);
  });

  it('When the project does not exist, then it exits non-zero and says what to do', async () => {
    const err = await run('node', [CLI, 'upload', zipPath, '--project', 'MISSING', '--url', stack.baseUrl]).catch((e: { code: number; stderr: string }) => e);
    expect((err as { code: number }).code).toBe(1);
    expect((err as { stderr: string }).stderr).toMatch(/HTTP 404.*project MISSING does not exist; create it first/);
  });

  it('When no valid token is given, then it exits non-zero and says the server wants a sign-in', async () => {
    const err = await run('node', [CLI, 'upload', zipPath, '--project', 'CLI1', '--url', stack.baseUrl, '--token', 'dit_not-a-real-token-at-all-000000']).catch((e: { code: number; stderr: string }) => e);
    expect((err as { code: number }).code).toBe(1);
    expect((err as { stderr: string }).stderr).toMatch(/HTTP 401.*Authorization: Bearer TOKEN/);
  });

  it('When arguments are missing, then it prints the usage and exits 2', async () => {
    const err = await run('node', [CLI, 'upload']).catch((e: { code: number; stderr: string }) => e);
    expect((err as { code: number }).code).toBe(2);
    expect((err as { stderr: string }).stderr).toContain('Usage: dicom-intake upload ZIP --project P');
  });
});
