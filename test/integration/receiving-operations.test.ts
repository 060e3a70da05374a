import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRADUAL_DOOR } from '../../src/api/gradual-import';
import { studyWorkflowId } from '../../src/client/start-study';
import { receivedStudyKey } from '../../src/storage/received-file';
import { buildDicom } from '../factories/dicom-builder';
import { http } from '../support/http';
import { startTestStack, type TestStack } from '../support/test-stack';

const execFileAsync = promisify(execFile);
const CLI = join(__dirname, '../../bin/dicom-intake.js');
const CANARY = { PatientName: 'Receivingcanary^Zk4', PatientID: 'RECEIVING-PID-5521', PatientBirthDate: '19520717' };
const SITE_SCRIPT = 'version "6.1"\n-(0010,0030)\n';
// Far longer than the test: the study stays RECEIVING unless an operation ends the wait, so the window is certain.
const IDLE_SECONDS = 600;

type Row = { id: string; status: string; folderName: string; subject: string | null; url: string; allowed: string[] };

let n = 0;
/** `count` files of one study (one series), as separate DICOM files. */
function study(count: number): { uid: string; files: Buffer[] } {
  n++;
  const uid = `2.25.${Date.now()}${process.pid}${n}`;
  const files = Array.from({ length: count }, (_, i) =>
    buildDicom({ rows: 8, columns: 8, elements: { ...CANARY, StudyInstanceUID: uid, SeriesInstanceUID: `${uid}.1`, SOPInstanceUID: `${uid}.1.${i + 1}`, SeriesNumber: '1', InstanceNumber: String(i + 1) } }),
  );
  return { uid, files };
}

describe('RECEIVING prearchive sessions allow XNAT\'s Delete and Rebuild', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ DICOM_INTAKE_SESSION_IDLE_SECONDS: String(IDLE_SECONDS) });
    expect((await http(stack.baseUrl, 'PUT', '/data/projects/RP?prearchive_code=0')).status).toBe(201);
    expect((await http(stack.baseUrl, 'PUT', '/data/projects/OTHER?prearchive_code=0')).status).toBe(201);
    expect((await http(stack.baseUrl, 'PUT', '/xapi/anonymize/site', SITE_SCRIPT)).status).toBe(200);
  });
  afterAll(async () => stack?.stop());

  const send = async (label: string, file: Buffer) => {
    const res = await http(stack.baseUrl, 'POST', `/data/services/import?import-handler=gradual-DICOM&inbody=true&dest=/prearchive/projects/RP&SUBJECT_ID=RS1&EXPT_LABEL=${label}`, file, 'application/dicom');
    expect(res.status, res.text).toBe(200);
    return res.text.trim();
  };
  const rows = async () => JSON.parse((await http(stack.baseUrl, 'GET', '/api/prearchive?project=RP')).text).sessions as Row[];
  const receivingRow = async () => (await rows()).find((r) => r.status === 'RECEIVING');
  const handleOf = (uid: string) => stack.client.workflow.getHandle(studyWorkflowId(receivedStudyKey(`${GRADUAL_DOOR}\u0000RP\u0000prearchive`, uid)));
  const filesOf = async (id: string) => JSON.parse((await http(stack.baseUrl, 'GET', `/api/prearchive/${id}`)).text).files as number;
  const cli = (...args: string[]) => execFileAsync('node', [CLI, ...args, '--url', stack.baseUrl], { env: { ...process.env, DICOM_INTAKE_TOKEN: stack.adminToken } });

  it('When a RECEIVING study is rebuilt through the XNAT endpoint, then it is built at once into ONE complete READY session, without its idle timer firing; commit and move stay refused while it is RECEIVING', async () => {
    const { uid, files } = study(4);
    for (const f of files) await send('RSESS1', f);
    const row = (await receivingRow())!;
    expect(row).toMatchObject({ status: 'RECEIVING', allowed: ['delete', 'rebuild'] });
    expect(await filesOf(row.id)).toBe(4);
    for (const [op, project] of [['commit', ''], ['move', '?project=OTHER']]) {
      const refused = await http(stack.baseUrl, 'POST', `/api/prearchive/${row.id}/${op}${project}`);
      expect(refused.status, op).toBe(409);
      expect(JSON.parse(refused.text).error).toMatch(/still arriving \(RECEIVING\), which allows only delete, rebuild/);
    }
    const xnatCommit = await http(stack.baseUrl, 'POST', `/data${row.url}?action=commit`);
    expect(xnatCommit.status).toBe(409);
    // The pages offer the same: Rebuild (back to the list, since the row gives way to the built session) and Delete.
    const page = await http(stack.baseUrl, 'GET', `/ui/prearchive/${row.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`data-path="/api/prearchive/${row.id}/rebuild?wait=true" data-then="/ui/prearchive">Rebuild</button>`);
    expect(page.text).toContain(`data-method="DELETE" data-path="/api/prearchive/${row.id}?wait=true"`);
    expect(page.text).not.toContain(`/api/prearchive/${row.id}/commit`);
    expect(page.text).not.toContain('Change project');

    const built = await http(stack.baseUrl, 'POST', `/data${row.url}?action=build`);
    expect(built.status, built.text).toBe(200);
    expect(built.text.trim()).toMatch(/^\/prearchive\/projects\/RP\/\d{8}_\d{9}\/RSESS1$/);
    const handle = handleOf(uid);
    expect(await handle.result()).toMatchObject({ received: 4, imports: 1, importedFiles: 4, failedImports: 0 });
    const history = await handle.fetchHistory();
    // Built by the request: the 600 s idle timer was started but never fired.
    expect(history.events!.some((e) => e.timerStartedEventAttributes)).toBe(true);
    expect(history.events!.some((e) => e.timerFiredEventAttributes)).toBe(false);
    await Worker.runReplayHistory(stack.replayOptions, history, handle.workflowId);

    const after = await rows();
    expect(after).toEqual([expect.objectContaining({ status: 'READY', folderName: 'RSESS1', subject: 'RS1', allowed: ['commit', 'move', 'delete', 'rebuild'] })]);
    expect(await filesOf(after[0].id)).toBe(4);
    expect(await stack.db('received_files').whereNull('upload_id').count({ n: '*' })).toEqual([{ n: 0 }]);
    // The built session is a normal one: it can be deleted as before.
    expect((await http(stack.baseUrl, 'DELETE', `/api/prearchive/${after[0].id}?wait=true`)).status).toBe(200);
  });

  it('When a RECEIVING study is deleted (through an activity retry), then its files, received_files rows and row are gone, the workflow completed as deleted, one audit record; a file sent afterwards is a new RECEIVING study, which the CLI rebuilds', async () => {
    const { uid, files } = study(3);
    for (const f of files.slice(0, 2)) await send('RSESS2', f);
    const row = (await receivingRow())!;
    const key = receivedStudyKey(`${GRADUAL_DOOR}\u0000RP\u0000prearchive`, uid);
    const received = await stack.db('received_files').where({ study_key: key });
    expect(received).toHaveLength(2);
    for (const r of received) expect(await stack.store.exists(r.object_key)).toBe(true);
    const firstRun = (await handleOf(uid).describe()).runId;

    stack.faults.add('receiving-discard:after-files');
    const deleted = await http(stack.baseUrl, 'DELETE', `/api/prearchive/${row.id}?wait=true`);
    expect(deleted.status, deleted.text).toBe(200);
    expect(JSON.parse(deleted.text).result).toMatchObject({ prearchiveId: row.id, files: 2 });
    expect(stack.fired).toContain('receiving-discard:after-files');

    expect(await stack.db('prearchive_sessions').where({ id: row.id })).toEqual([]);
    expect(await stack.db('received_files').where({ study_key: key })).toEqual([]);
    for (const r of received) expect(await stack.store.exists(r.object_key)).toBe(false);
    expect(await stack.db('uploads').where({ method: 'gradual' }).whereNot({ status: 'PREARCHIVED' })).toEqual([]);
    const handle = stack.client.workflow.getHandle(studyWorkflowId(key), firstRun);
    expect(await handle.result()).toMatchObject({ received: 2, imports: 0, deleted: { prearchiveId: row.id, files: 2 } });
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    await Worker.runReplayHistory(stack.replayOptions, await handle.fetchHistory(), handle.workflowId);
    const audits = await stack.db('audit_events').where({ action: 'prearchive.deleted', session_id: row.id });
    expect(audits).toHaveLength(1);
    expect(JSON.parse(audits[0].detail)).toMatchObject({ status: 'RECEIVING', files: 2 });
    const auditText = JSON.stringify(audits);
    for (const v of [...Object.values(CANARY), uid]) expect(auditText).not.toContain(v);
    // Deleting it again finds nothing.
    expect((await http(stack.baseUrl, 'DELETE', `/api/prearchive/${row.id}?wait=true`)).status).toBe(404);

    // The third file, sent after the delete: a new RECEIVING study (new row, new run), not the deleted one.
    await send('RSESS2', files[2]);
    const again = (await receivingRow())!;
    expect(again.id).not.toBe(row.id);
    expect(await filesOf(again.id)).toBe(1);
    const second = await handleOf(uid).describe();
    expect(second.runId).not.toBe(firstRun);
    expect(second.status.name).toBe('RUNNING');

    const rebuilt = JSON.parse((await cli('prearchive', 'rebuild', again.id, '--json')).stdout);
    expect(rebuilt).toMatchObject({ ok: true, result: { files: 1, importedFiles: 1 } });
    expect(await handleOf(uid).result()).toMatchObject({ received: 1, imports: 1, importedFiles: 1 });
    const ready = (await rows()).filter((r) => r.folderName === 'RSESS2');
    expect(ready).toEqual([expect.objectContaining({ status: 'READY' })]);
    expect(await filesOf(ready[0].id)).toBe(1);
  });

  it('When a RECEIVING study is deleted through the XNAT endpoint, then it is gone; a second delete or rebuild of the same row is refused', async () => {
    const { uid, files } = study(2);
    for (const f of files) await send('RSESS3', f);
    const row = (await receivingRow())!;
    const res = await http(stack.baseUrl, 'DELETE', `/data${row.url}`);
    expect(res.status, res.text).toBe(200);
    expect((await handleOf(uid).result()).deleted).toMatchObject({ files: 2 });
    expect(await receivingRow()).toBeUndefined();
    // The intake has ended: the stale row's operations are answered as for a session that no longer exists.
    expect((await http(stack.baseUrl, 'POST', `/data${row.url}?action=build`)).status).toBe(404);
    expect(await stack.store.list('staging/gradual')).toEqual([]);
  });

  it('When a rebuild is asked after a delete of the same RECEIVING study was accepted, then the rebuild is refused and only the delete happens', async () => {
    const { uid, files } = study(2);
    for (const f of files) await send('RSESS4', f);
    const row = (await receivingRow())!;
    const accepted = await http(stack.baseUrl, 'DELETE', `/api/prearchive/${row.id}`);
    expect(accepted.status, accepted.text).toBe(202);
    expect(JSON.parse(accepted.text)).toMatchObject({ op: 'delete', workflowId: handleOf(uid).workflowId, updateId: expect.any(String) });
    // The workflow has taken the delete: whether the row is still listed (409) or already gone (404), no rebuild runs.
    const rebuild = await http(stack.baseUrl, 'POST', `/api/prearchive/${row.id}/rebuild?wait=true`);
    expect([409, 404], rebuild.text).toContain(rebuild.status);
    expect(await handleOf(uid).result()).toMatchObject({ imports: 0, deleted: { prearchiveId: row.id, files: 2 } });
    expect((await rows()).filter((r) => r.folderName === 'RSESS4')).toEqual([]);
  });
});
