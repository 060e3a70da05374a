import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipBuffers } from '../../src/storage/zip-write';
import { buildDicom, syntheticUid } from '../factories/dicom-builder';
import { http } from '../support/http';
import { startTestStack, type TestStack } from '../support/test-stack';

const execFileAsync = promisify(execFile);
const CLI = join(__dirname, '../../bin/dicom-intake.js');

describe('dicom-intake prearchive and session', () => {
  let stack: TestStack;
  let prearchiveId: string;
  const cli = (...args: string[]) => run('node', [CLI, ...args, '--url', stack.baseUrl]);

  beforeAll(async () => {
    stack = await startTestStack();
    await http(stack.baseUrl, 'PUT', '/data/projects/CP?prearchive_code=0');
    const study = syntheticUid();
    const zip = await zipBuffers([1, 2].map((n) => ({ name: `${n}.dcm`, data: buildDicom({ elements: { StudyInstanceUID: study, SOPInstanceUID: `${study}.${n}` } }) })));
    const res = await http(stack.baseUrl, 'POST', '/data/services/import?import-handler=DICOM-zip&inbody=true&dest=/prearchive/projects/CP&SUBJECT_ID=CS&EXPT_LABEL=CE', zip, 'application/zip');
    expect(res.status, res.text).toBe(200);
    prearchiveId = (await stack.repos.prearchive.list('CP'))[0].id;
  });
  afterAll(async () => stack?.stop());
  // The CLI signs in with DICOM_INTAKE_TOKEN (the stack's site admin), as a script on the server would.
  const run = (cmd: string, args: string[]) => execFileAsync(cmd, args, { env: { ...process.env, DICOM_INTAKE_TOKEN: stack.adminToken } });

  it('When the prearchive is listed and a session shown with --json, then the output parses and names the session, its status and its passes', async () => {
    const ls = JSON.parse((await cli('prearchive', 'ls', '--project', 'CP', '--json')).stdout);
    expect(ls.ok).toBe(true);
    expect(ls.sessions.map((s: { id: string; status: string; folderName: string }) => [s.id, s.status, s.folderName])).toEqual([[prearchiveId, 'READY', 'CE']]);
    const show = JSON.parse((await cli('prearchive', 'show', prearchiveId, '--json')).stdout);
    expect(show).toMatchObject({ ok: true, id: prearchiveId, files: 2, passes: { project: { files: 0 } } });
  });

  it('When a move to a missing project is asked, then it exits 1 and says what to do; a commit then archives, and a relabel edits', async () => {
    const err = (await cli('prearchive', 'move', prearchiveId, '--project', 'NOPE').catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(1);
    expect(err.stderr).toMatch(/HTTP 404.*project NOPE does not exist; create it first/);

    const commit = JSON.parse((await cli('prearchive', 'commit', prearchiveId, '--json')).stdout);
    expect(commit).toMatchObject({ ok: true, op: 'commit', result: { url: '/data/archive/projects/CP/subjects/CS/experiments/CE', added: 2 } });
    const again = (await cli('prearchive', 'commit', prearchiveId).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('HTTP 404');

    const relabel = JSON.parse((await cli('session', 'relabel', 'CP', 'CE', 'CE2', '--json')).stdout);
    expect(relabel).toMatchObject({ ok: true, result: { sessions: 1 } });
    expect(await stack.repos.archive.sessionByLabel('CP', 'CE2')).toBeDefined();
  });

  it('When arguments are missing, then it prints the usage and exits 2', async () => {
    const err = (await run('node', [CLI, 'session', 'relabel', 'CP']).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(2);
    expect(err.stderr).toContain('Usage: dicom-intake session COMMAND PROJECT LABEL VALUE');
  });
});
