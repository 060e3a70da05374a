import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runAnonymize } from '../../src/cli/anonymize-command';
import { runPrearchive } from '../../src/cli/prearchive-command';
import { runReceivers } from '../../src/cli/receivers-command';
import { runArchive } from '../../src/cli/retry-command';
import { runScript } from '../../src/cli/script-command';
import { runScripts } from '../../src/cli/scripts-command';
import { runSession } from '../../src/cli/session-command';
import { runVerify } from '../../src/cli/verify-command';
import { runWorkflows } from '../../src/cli/workflows-command';
import { ensureKeyring, formatKeyList, newCodecKey } from '../../src/codec/keyring';
import { buildDicom } from '../factories/dicom-builder';
import { freePort } from '../support/free-port';
import { http } from '../support/http';
import { startTestStack, type TestStack } from '../support/test-stack';

const execFileAsync = promisify(execFile);
const CLI = join(__dirname, '../../bin/dicom-intake.js');
const basic = (login: string, secret: string) => `Basic ${Buffer.from(`${login}:${secret}`).toString('base64')}`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

// `scripts check|preview` through the server's checker and preview, `workflows retry`, and what a refusal says.
describe('dicom-intake scripts check|preview (server), workflows retry and sign-in errors', () => {
  let stack: TestStack;
  let dir: string;
  let collaboratorToken: string;
  // The CLI as a person runs it: its own process, signed in with the given token (the site admin's by default).
  const run = async (args: string[], env: NodeJS.ProcessEnv = { DICOM_INTAKE_TOKEN: stack.adminToken }): Promise<Run> => {
    const r = await execFileAsync('node', [CLI, ...args, ...(args[0] === 'keys' ? [] : ['--url', stack.baseUrl])], { env: { ...process.env, DICOM_INTAKE_TOKEN: undefined, ...env } }).then(
      (ok) => ({ ...ok, code: 0 }),
      (e: Run) => e,
    );
    return { code: r.code, stdout: r.stdout, stderr: r.stderr };
  };
  const json = async (args: string[], env?: NodeJS.ProcessEnv) => {
    const r = await run([...args, '--json'], env);
    return { code: r.code, body: JSON.parse(r.stdout) as Record<string, unknown> };
  };

  beforeAll(async () => {
    stack = await startTestStack();
    dir = await mkdtemp(join(tmpdir(), 'cli-scripts-server-'));
    expect((await http(stack.baseUrl, 'PUT', '/data/projects/CSP')).status).toBe(201);
    // The site holds a lookup table "pid"; no table "visit" exists anywhere.
    expect((await http(stack.baseUrl, 'PUT', '/api/lookup-tables/site', 'pid/PAT-0001 = SUBJ-001\n')).status).toBe(200);
    const script = 'version "6.1"\n(0010,0010) := lookup["pid", (0010,0020)]\n(0010,0020) := subject\n(0008,1030) := project\n(0020,0010) := session\n-(0008,0090)\n';
    expect((await http(stack.baseUrl, 'PUT', '/data/config/edit/projects/CSP/image/dicom/script', script)).status).toBe(200);
    expect((await http(stack.baseUrl, 'POST', '/api/users', JSON.stringify({ login: 'cora', password: 'cora-long-password' }), 'application/json')).status).toBe(201);
    const issued = await http(stack.baseUrl, 'POST', '/api/tokens', undefined, undefined, basic('cora', 'cora-long-password'));
    collaboratorToken = JSON.parse(issued.text).token;
    expect((await http(stack.baseUrl, 'PUT', '/data/projects/CSP/users/Collaborators/cora')).status).toBe(200);
  });
  afterAll(async () => stack?.stop());

  it('When the stored project script is checked, then --json gives the server checker verdict; an unknown lookup table in a FILE is a warning with line and column', async () => {
    const stored = await json(['scripts', 'check', '--project', 'CSP']);
    expect(stored).toEqual({ code: 0, body: { ok: true, status: 200, script: 'project CSP script', version: '6.1', diagnostics: [] } });
    const file = join(dir, 'visit.das');
    await writeFile(file, 'version "6.1"\n(0010,0010) := lookup["pid", (0010,0020)]\n(0020,0010) := lookup["visit", (0020,0010)]\n');
    const warned = await json(['scripts', 'check', '--project', 'CSP', file]);
    expect(warned.code).toBe(0);
    expect(warned.body).toMatchObject({ ok: true, script: file });
    expect(warned.body.diagnostics).toEqual([expect.objectContaining({ severity: 'warning', code: 'UNKNOWN_LOOKUP_TABLE', line: 3, column: expect.any(Number), message: expect.stringMatching(/visit/) })]);
    const human = await run(['scripts', 'check', '--site', file]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`^${file}:3:\\d+: warning UNKNOWN_LOOKUP_TABLE: .*visit`, 'm'));
    expect(human.stdout).not.toMatch(/"pid"/);
  });

  it('When a FILE with an error is checked, then the error has its line and column and the exit code is 1', async () => {
    const file = join(dir, 'broken.das');
    await writeFile(file, 'version "6.1"\n(0010,0010) :=\n');
    const refused = await json(['scripts', 'check', '--site', file]);
    expect(refused.code).toBe(1);
    expect(refused.body).toMatchObject({ ok: false, status: 200, script: file });
    expect(refused.body.diagnostics).toEqual(expect.arrayContaining([expect.objectContaining({ severity: 'error', line: 2, column: expect.any(Number) })]));
    const human = await run(['scripts', 'check', '--site', file]);
    expect(human).toMatchObject({ code: 1, stdout: expect.stringMatching(new RegExp(`^${file}:2:\\d+: error \\w+: `, 'm')) });
    expect(human.stdout).toMatch(/refused, 1 error\(s\)/);
  });

  it('When the stored project script is previewed on a local file, then the per-tag diff uses the stored lookup table, --project and --var; the file is unchanged', async () => {
    const dicom = join(dir, 'one.dcm');
    await writeFile(dicom, buildDicom({ elements: { PatientName: 'Doe^Jane', PatientID: 'PAT-0001', StudyDescription: 'Head', StudyID: '77', ReferringPhysicianName: 'Who^Dr' } }));
    const before = createHash('sha256').update(await readFile(dicom)).digest('hex');
    const r = await json(['scripts', 'preview', '--project', 'CSP', dicom, '--var', 'subject=S01', '--var', 'session=S01_MR1']);
    expect(r.code).toBe(0);
    expect(r.body).toMatchObject({ ok: true, status: 200, rejected: false });
    const changes = r.body.changes as { path: string; kind: string; before?: string; after?: string }[];
    expect(Object.fromEntries(changes.map((c) => [c.path, [c.kind, c.after ?? null]]))).toEqual({
      '(0008,0090)': ['deleted', null],
      '(0008,1030)': ['changed', 'CSP'],
      '(0010,0010)': ['changed', 'SUBJ-001'],
      '(0010,0020)': ['changed', 'S01'],
      '(0020,0010)': ['changed', 'S01_MR1'],
    });
    expect(createHash('sha256').update(await readFile(dicom)).digest('hex')).toBe(before);
    const human = await run(['scripts', 'preview', '--project', 'CSP', dicom, '--var', 'subject=S01', '--var', 'session=S01_MR1']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^\(0010,0010\) PN changed "Doe\^Jane" -> "SUBJ-001"$/m);
    expect(human.stdout).toMatch(/one\.dcm: 5 element\(s\) would change; nothing was written/);
  });

  it('When preview is given --script FILE, then that script runs instead of the stored one; without a stored site script the refusal says so', async () => {
    const dicom = join(dir, 'two.dcm');
    await writeFile(dicom, buildDicom({ elements: { PatientName: 'Roe^Rick', PatientID: 'PAT-0002' } }));
    const file = join(dir, 'site-draft.das');
    await writeFile(file, 'version "6.1"\n(0010,0020) := "ANON"\n');
    const r = await json(['scripts', 'preview', '--site', dicom, '--script', file]);
    expect(r).toMatchObject({ code: 0, body: { ok: true, rejected: false, changes: [{ path: '(0010,0020)', kind: 'changed', after: 'ANON' }] } });
    const none = await json(['scripts', 'preview', '--site', dicom]);
    expect(none).toMatchObject({ code: 1, body: { ok: false, status: 404, error: expect.stringMatching(/no site script is set/) } });
    const missing = await run(['scripts', 'preview', '--site', join(dir, 'absent.dcm')]);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringMatching(/cannot read the DICOM file .*absent\.dcm; check the path/) });
  });

  it('When the server refuses for want of a sign-in or a role, then the message says how to sign in or which role is needed', async () => {
    const noToken = await json(['scripts', 'get', '--site'], { DICOM_INTAKE_DATA_DIR: dir });
    expect(noToken).toMatchObject({ code: 1, body: { ok: false, status: 401, error: expect.stringMatching(/no API token was found: pass --token TOKEN or set DICOM_INTAKE_TOKEN .*dicom-intake start/) } });
    const badToken = await json(['scripts', 'get', '--site'], { DICOM_INTAKE_TOKEN: 'dit_not-a-token' });
    expect(badToken.body).toMatchObject({ status: 401, error: expect.stringMatching(/was not accepted; pass a current one \(get one with `curl -u LOGIN -X POST .*\/api\/tokens`/) });
    const file = join(dir, 'p.das');
    await writeFile(file, 'version "6.1"\n(0008,1030) := project\n');
    const asCollaborator = await run(['scripts', 'set', '--project', 'CSP', file], { DICOM_INTAKE_TOKEN: collaboratorToken });
    expect(asCollaborator).toMatchObject({ code: 1, stderr: expect.stringMatching(/HTTP 403\): user cora may not configure project CSP \(needs the owner role\)/) });
    // No server at that address: still one JSON object, saying what to start or which --url to give.
    const nowhere = await execFileAsync('node', [CLI, 'scripts', 'get', '--site', '--json', '--url', `http://127.0.0.1:${await freePort()}`]).then((ok) => ({ ...ok, code: 0 }), (e: Run) => e);
    expect(nowhere.code).toBe(1);
    expect(JSON.parse(nowhere.stdout)).toEqual({ ok: false, status: 0, error: expect.stringMatching(/^cannot reach http:\/\/127\.0\.0\.1:\d+ .*is `dicom-intake start` running, or is the server elsewhere \(--url URL\)\?$/) });
    // A collaborator may read the project: check and preview are open to it.
    expect((await json(['scripts', 'check', '--project', 'CSP'], { DICOM_INTAKE_TOKEN: collaboratorToken })).code).toBe(0);
  });

  it('When workflows retry is run with nothing failed, then --json says none were retried; archive retry answers the same; bad arguments are usage errors', async () => {
    const retried = await json(['workflows', 'retry', '--all-failed']);
    expect(retried).toEqual({ code: 0, body: { ok: true, status: 200, retried: 0, results: [] } });
    expect(await json(['archive', 'retry', '--all-failed'])).toEqual(retried);
    const both = await run(['workflows', 'retry', 'archive-x', '--all-failed']);
    expect(both).toMatchObject({ code: 2, stderr: expect.stringMatching(/name one workflow id or prearchive session id, or --all-failed/) });
    const unknown = await run(['workflows', 'retry', '--everything']);
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringMatching(/Unknown option '--everything'[\s\S]*See: dicom-intake workflows --help/) });
  });

  it('When keys rotate is run with --json, then it prints the new key id that keys ls --json lists first; a refusal is JSON too', async () => {
    const file = join(dir, 'rotation-keyring.json');
    ensureKeyring({ keyringFile: file });
    const env = { DICOM_INTAKE_CODEC_KEYS: '', DICOM_INTAKE_CODEC_KEYRING_FILE: file };
    const rotated = await json(['keys', 'rotate'], env);
    expect(rotated).toEqual({ code: 0, body: { ok: true, newKeyId: expect.any(String) } });
    expect((await json(['keys', 'ls'], env)).body).toMatchObject({ encryptsWith: rotated.body.newKeyId, keyIds: [rotated.body.newKeyId, expect.any(String)] });
    const refused = await json(['keys', 'rotate'], { DICOM_INTAKE_CODEC_KEYS: formatKeyList([newCodecKey()]) });
    expect(refused).toEqual({ code: 1, body: { ok: false, error: expect.stringMatching(/the keys come from DICOM_INTAKE_CODEC_KEYS/) } });
  });

  it('When any command (new ones included) is asked for --help, then it prints an example of itself on stdout and exits 0', async () => {
    // In-process, as in cli-workflows.test.ts: help has no side effects, and a node process per command is slow.
    const commands: [string, string[], (argv: string[]) => Promise<number>][] = [
      ['prearchive', [], runPrearchive],
      ['session', [], runSession],
      ['archive', [], runArchive],
      ['workflows', ['retry'], runWorkflows],
      ['scripts', [], runScripts],
      ['receivers', [], runReceivers],
      ['anonymize', [], runAnonymize],
      ['verify', [], runVerify],
      ['script', [], runScript],
    ];
    for (const [name, sub, run] of commands) {
      const out: string[] = [];
      const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
      try {
        expect(await run([...sub, '--help']), name).toBe(0);
      } finally {
        spy.mockRestore();
      }
      expect(out.join(''), name).toMatch(/Examples?:/);
      expect(out.join(''), name).toMatch(new RegExp(`^\\s*(Examples?:\\s*)?dicom-intake ${[name === 'archive' ? 'workflows' : name, ...sub].join(' ')} \\S`, 'm'));
    }
  });
});
