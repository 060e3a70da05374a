/**
 * Lookup tables through the real stack: uploaded by the API (and the CLI), read by the project pass from the
 * database, recorded with the pass, never in Temporal; an unknown key refuses the file (the engine's null rule).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDicom } from '../../src/dicom';
import { studyZip } from '../factories/study-zip';
import { historyText } from '../support/history-text';
import { http } from '../support/http';
import { startTestStack, type TestStack } from '../support/test-stack';

const CLI = join(__dirname, '../../bin/dicom-intake.js');
const run = promisify(execFile);

const KNOWN_PID = 'LKPID-5521-KNOWN';
const UNKNOWN_PID = 'LKPID-9902-UNKNOWN';
const STUDY_CODE = 'STUDYCODE-017';
const PROJECT_SCRIPT = `version "6.1"
(0010,0020) := lookup["pid", (0010,0020)]
`;

const importPath = (session: string) => `/data/services/import?import-handler=DICOM-zip&inbody=true&dest=/archive/projects/LK/subjects/S1/experiments/${session}`;

describe('lookup tables stored and passed by the intake', () => {
  let stack: TestStack;
  const dir = mkdtempSync(join(tmpdir(), 'lookup-it-'));

  beforeAll(async () => {
    stack = await startTestStack();
    expect((await http(stack.baseUrl, 'PUT', '/data/projects/LK')).status).toBe(201);
    expect((await http(stack.baseUrl, 'PUT', '/data/config/edit/projects/LK/image/dicom/script', PROJECT_SCRIPT)).status).toBe(200);
  });
  afterAll(async () => stack?.stop());

  const env = () => ({ ...process.env, DICOM_INTAKE_TOKEN: stack.adminToken });

  it('When a user without a role on the project asks, then the tables are refused to them (they are PHI-bearing maps)', async () => {
    const password = 'lookup-stranger-password';
    expect((await http(stack.baseUrl, 'POST', '/api/users', JSON.stringify({ login: 'lkstranger', password }), 'application/json')).status).toBe(201);
    const issued = await http(stack.baseUrl, 'POST', '/api/tokens', undefined, undefined, `Basic ${Buffer.from(`lkstranger:${password}`).toString('base64')}`);
    const stranger = `Bearer ${JSON.parse(issued.text).token}`;
    expect((await http(stack.baseUrl, 'GET', '/api/projects/LK/lookup-tables', undefined, undefined, stranger)).status).toBe(403);
    expect((await http(stack.baseUrl, 'PUT', '/api/projects/LK/lookup-tables', 'pid/a = b\n', undefined, stranger)).status).toBe(403);
    expect((await http(stack.baseUrl, 'GET', '/api/lookup-tables/effective?project=LK', undefined, undefined, stranger)).status).toBe(403);
    expect((await http(stack.baseUrl, 'PUT', '/api/lookup-tables/site', 'pid/a = b\n', undefined, stranger)).status).toBe(403);
    expect((await http(stack.baseUrl, 'GET', '/api/lookup-tables/site', undefined, undefined, stranger)).status).toBe(403);
  });

  it('When a malformed table is uploaded, then it is refused naming the line, not its content', async () => {
    const res = await http(stack.baseUrl, 'PUT', '/api/projects/LK/lookup-tables', `pid/${KNOWN_PID} = ${STUDY_CODE}\n${UNKNOWN_PID} no slash\n`);
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/line 2 is not of the form table\/key = value/);
    expect(res.text).not.toContain(UNKNOWN_PID);
  });

  it('When the CLI sets a project table and an archive goes through the stack, then the project script maps PatientID to the table value and the pass records the table version', async () => {
    const file = join(dir, 'pid.txt');
    writeFileSync(file, `# study codes\npid/${KNOWN_PID} = ${STUDY_CODE}\n`);
    const set = await run('node', [CLI, 'scripts', 'lookup', 'set', '--project', 'LK', file, '--url', stack.baseUrl, '--json'], { env: env() });
    expect(JSON.parse(set.stdout)).toMatchObject({ ok: true, version: 1, entries: 1 });
    const got = await run('node', [CLI, 'scripts', 'lookup', 'get', '--project', 'LK', '--url', stack.baseUrl], { env: env() });
    expect(got.stdout).toContain(`pid/${KNOWN_PID} = ${STUDY_CODE}`);

    const { zip } = await studyZip({ patientName: 'Lookup^Known', patientId: KNOWN_PID, birthDate: '19500101' }, 2);
    const res = await http(stack.baseUrl, 'POST', importPath('SESS_KNOWN'), zip, 'application/zip');
    expect(res.status).toBe(200);
    const keys = await stack.store.list('archive/LK/S1/SESS_KNOWN');
    expect(keys).toHaveLength(2);
    for (const key of keys) expect((await openDicom(stack.store.path(key))).getString(0x00100020)).toBe(STUDY_CODE);

    const table = (await stack.repos.lookupTables.current('project', 'LK'))!;
    const passes = await stack.db('anonymization_passes').where({ kind: 'project' });
    expect(passes).toHaveLength(2);
    expect(new Set(passes.map((p) => p.lookup_sha256)).size).toBe(1);
    expect(passes[0].lookup_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(table.version).toBe(1);

    // The table's contents never reached Temporal: only the activity read them, from the database.
    const [upload] = await stack.db('uploads').orderBy('created_at', 'desc');
    const history = await stack.client.workflow.getHandle(upload.workflow_id).fetchHistory();
    const text = historyText(history);
    expect(text).not.toContain(STUDY_CODE);
    expect(text).not.toContain(KNOWN_PID);
  });

  it('When a script is checked against the stored tables (API) or a table file (CLI), then a lookup of a missing table is a warning at its line', async () => {
    const script = `version "6.1"\n(0010,0020) := lookup["pid", (0010,0020)]\n(0010,0010) := lookup["names", (0010,0010)]\n`;
    const api = JSON.parse((await http(stack.baseUrl, 'POST', '/api/scripts/check?project=LK', script)).text);
    expect(api.ok).toBe(true);
    expect(api.diagnostics).toEqual([expect.objectContaining({ line: 3, column: 16, severity: 'warning', code: 'UNKNOWN_LOOKUP_TABLE', message: expect.stringContaining('"names"') })]);
    const scriptFile = join(dir, 'check.das');
    writeFileSync(scriptFile, script);
    const tables = join(dir, 'tables.txt');
    writeFileSync(tables, 'names/A = B\n');
    const cli = await run('node', [CLI, 'script', 'check', scriptFile, '--lookup', tables, '--json']);
    expect(JSON.parse(cli.stdout).diagnostics).toEqual([expect.objectContaining({ line: 2, code: 'UNKNOWN_LOOKUP_TABLE', message: expect.stringContaining('"pid"') })]);
  });

  it('When the upload client anonymizes locally, then it fetches the tables and the archived files carry the mapped value', async () => {
    const input = join(dir, 'client-input');
    const { files } = await studyZip({ patientName: 'Lookup^Client', patientId: KNOWN_PID, birthDate: '19500101' }, 2);
    mkdirSync(input);
    files.forEach((data, i) => writeFileSync(join(input, `IM${i + 1}.dcm`), data));
    const r = await run('node', [CLI, 'upload', input, '--project', 'LK', '--subject', 'S1', '--session', 'SESS_CLIENT', '--anonymize-locally', '--json', '--url', stack.baseUrl], { env: env() });
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true });
    const keys = await stack.store.list('archive/LK/S1/SESS_CLIENT');
    expect(keys).toHaveLength(2);
    for (const key of keys) expect((await openDicom(stack.store.path(key))).getString(0x00100020)).toBe(STUDY_CODE);
  });

  it('When the key is not in the table, then lookup gives null, the assignment is refused and the file is not archived', async () => {
    const { zip } = await studyZip({ patientName: 'Lookup^Unknown', patientId: UNKNOWN_PID, birthDate: '19500101' }, 1);
    const res = await http(stack.baseUrl, 'POST', importPath('SESS_UNKNOWN'), zip, 'application/zip');
    expect(res.status).not.toBe(200);
    expect(res.text).toMatch(/NULL_ASSIGNMENT|missing \(null\)/);
    expect(res.text).not.toContain(UNKNOWN_PID);
    expect(await stack.store.list('archive/LK/S1/SESS_UNKNOWN')).toEqual([]);
  });

  it('When the table gets a new version, then a new upload reads it and its pass records the new version', async () => {
    const before = new Set((await stack.db('anonymization_passes').where({ kind: 'project' })).map((p) => p.lookup_sha256));
    const put = await http(stack.baseUrl, 'PUT', '/api/projects/LK/lookup-tables', `pid/${KNOWN_PID} = ${STUDY_CODE}-B\n`);
    expect(JSON.parse(put.text)).toMatchObject({ version: 2, entries: 1 });
    expect(put.text).not.toContain(KNOWN_PID); // the save answer names the version, not the contents
    const { zip } = await studyZip({ patientName: 'Lookup^Known', patientId: KNOWN_PID, birthDate: '19500101' }, 1);
    expect((await http(stack.baseUrl, 'POST', importPath('SESS_V2'), zip, 'application/zip')).status).toBe(200);
    const [key] = await stack.store.list('archive/LK/S1/SESS_V2');
    expect((await openDicom(stack.store.path(key!))).getString(0x00100020)).toBe(`${STUDY_CODE}-B`);
    const latest = await stack.db('anonymization_passes').where({ kind: 'project' }).orderBy('created_at', 'desc').first();
    expect(before.has(latest.lookup_sha256)).toBe(false);
  });

  it('When a session is relabelled, then the edit re-pass reads the project table as it is now', async () => {
    // SESS_V2 holds PatientID STUDY_CODE-B (table version 2); version 3 maps that value on.
    await http(stack.baseUrl, 'PUT', '/api/projects/LK/lookup-tables', `pid/${KNOWN_PID} = ${STUDY_CODE}-B\npid/${STUDY_CODE}-B = ${STUDY_CODE}-C\n`);
    const res = await http(stack.baseUrl, 'POST', '/api/archive/projects/LK/sessions/SESS_V2/relabel?label=SESS_V2R&wait=true');
    expect(res.status).toBe(200);
    const [key] = await stack.store.list('archive/LK/S1/SESS_V2R');
    expect((await openDicom(stack.store.path(key!))).getString(0x00100020)).toBe(`${STUDY_CODE}-C`);
    const latest = await stack.db('anonymization_passes').where({ kind: 'project' }).orderBy('created_at', 'desc').first();
    expect(latest.lookup_sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
