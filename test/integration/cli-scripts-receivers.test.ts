import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TRANSFER_SYNTAXES } from '../../src/config/receivers';
import { startReceiver, type RunningReceiver } from '../../src/scp/receiver';
import { freePort } from '../support/free-port';
import { http } from '../support/http';
import { runScu } from '../support/storescu';
import { startTestStack, type TestStack } from '../support/test-stack';

const execFileAsync = promisify(execFile);
const CLI = join(__dirname, '../../bin/dicom-intake.js');

describe('dicom-intake scripts and receivers', () => {
  let stack: TestStack;
  let rx: RunningReceiver;
  const cli = async (...args: string[]) => {
    const r = await execFileAsync('node', [CLI, ...args, '--url', stack.baseUrl, '--json'], { env: { ...process.env, DICOM_INTAKE_TOKEN: stack.adminToken } }).catch((e: { stdout: string; code: number }) => e);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };
  beforeAll(async () => {
    stack = await startTestStack();
    await http(stack.baseUrl, 'PUT', '/data/projects/CLS');
    rx = await startReceiver(
      { id: 'rx-cli', enabled: true, aeTitle: 'CLI_RX', host: '127.0.0.1', port: 0, destination: 'prearchive', anonymizationEnabled: false, allowedCallingAeTitles: ['MODALITY1'], transferSyntaxes: [...DEFAULT_TRANSFER_SYNTAXES], sessionIdleSeconds: 5, routing: { project: ['(0008,0050):^(CLS)$'], subject: [], session: [] } },
      { repos: stack.repos, store: stack.store, client: stack.client, taskQueue: stack.taskQueue, siteAnonEnabled: true },
    );
  });
  afterAll(async () => {
    await rx?.close();
    await stack?.stop();
  });

  it('When a project script is set, read back and disabled from the CLI, then each --json answer says so and the server agrees', async () => {
    const file = join(stack.dataDir, 'p.das');
    await writeFile(file, 'version "6.1"\n(0008,1030) := project\n');
    const set = await cli('scripts', 'set', '--project', 'CLS', file);
    expect(set).toMatchObject({ ok: true, status: 200, version: 1 });
    expect(await cli('scripts', 'get', '--project', 'CLS')).toMatchObject({ ok: true, text: 'version "6.1"\n(0008,1030) := project\n' });
    expect(await cli('scripts', 'disable', '--project', 'CLS')).toMatchObject({ ok: true, enabled: false });
    await writeFile(file, 'version "6.1"\n(0008,1030) :=\n');
    const refused = await cli('scripts', 'set', '--site', file);
    expect(refused).toMatchObject({ ok: false, status: 400 });
    expect(String(refused.error)).toMatch(/line 2/);
  });

  it('When receivers are listed from the CLI, then the running one is there with its port, destination, callers and rules', async () => {
    const listed = await cli('receivers', 'ls');
    expect(listed.ok).toBe(true);
    expect(listed.receivers).toEqual([
      expect.objectContaining({ aeTitle: 'CLI_RX', port: rx.port, destination: 'prearchive', anonymizationEnabled: false, allowedCallingAeTitles: ['MODALITY1'], routing: { project: ['(0008,0050):^(CLS)$'], subject: [], session: [] } }),
    ]);
  });

  it('When a receiver is added, changed and removed from the CLI, then each --json answer shows it and storescu sees the change at once', async () => {
    const port = await freePort();
    const added = await cli('receivers', 'add', '--ae-title', 'CLI_ADD', '--port', String(port), '--allow', 'CT1,CT2', '--destination', 'prearchive', '--idle', '2', '--project-rule', '(0008,0050):^(CLS)$');
    expect(added).toMatchObject({ ok: true, status: 201, receiver: { id: 'cli_add-' + port, aeTitle: 'CLI_ADD', port, destination: 'prearchive', allowedCallingAeTitles: ['CT1', 'CT2'], routing: { project: ['(0008,0050):^(CLS)$'] } } });
    expect((await runScu('echoscu', { port, callingAe: 'CT1', calledAe: 'CLI_ADD' }).done).code).toBe(0);
    const set = await cli('receivers', 'set', `cli_add-${port}`, '--allow', 'CT2', '--anonymize', 'off');
    expect(set).toMatchObject({ ok: true, status: 200, receiver: { allowedCallingAeTitles: ['CT2'], anonymizationEnabled: false, destination: 'prearchive' } });
    expect((await runScu('echoscu', { port, callingAe: 'CT1', calledAe: 'CLI_ADD' }).done).code).not.toBe(0);
    const bad = await cli('receivers', 'set', `cli_add-${port}`, '--ae-title', 'WAY_TOO_LONG_FOR_AN_AE');
    expect(bad).toMatchObject({ ok: false, status: 400 });
    expect(String(bad.error)).toMatch(/is not an AE title/);
    expect(await cli('receivers', 'rm', `cli_add-${port}`)).toMatchObject({ ok: true, removed: `cli_add-${port}` });
    expect((await runScu('echoscu', { port, callingAe: 'CT2', calledAe: 'CLI_ADD' }).done).code).not.toBe(0);
    const listed = (await cli('receivers', 'ls')).receivers as { id: string }[];
    expect(listed.map((r) => r.id)).toEqual(['rx-cli']);
  });

  it('When receivers --help is asked, then every command is shown with examples; a bad option value is a usage error', async () => {
    const help = await execFileAsync('node', [CLI, 'receivers', '--help']);
    expect(help.stdout).toMatch(/receivers add --ae-title CTSCANNER --port 11113 --allow CT1,CT2/);
    expect(help.stdout).toMatch(/set ID/);
    expect(help.stdout).toMatch(/rm ID/);
    const wrong = await execFileAsync('node', [CLI, 'receivers', 'set', 'x', '--anonymize', 'maybe', '--url', stack.baseUrl]).catch((e: { code: number; stderr: string }) => e);
    expect(wrong).toMatchObject({ code: 2, stderr: expect.stringMatching(/--anonymize takes on or off/) });
  });
});
