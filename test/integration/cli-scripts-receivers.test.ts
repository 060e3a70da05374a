import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TRANSFER_SYNTAXES } from '../../src/config/receivers';
import { startReceiver, type RunningReceiver } from '../../src/scp/receiver';
import { http } from '../support/http';
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
});
