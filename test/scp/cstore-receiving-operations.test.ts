import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { studyWorkflowId } from '../../src/client/start-study';
import { receivedStudyKey } from '../../src/storage/received-file';
import { buildDicom } from '../factories/dicom-builder';
import { freePort } from '../support/free-port';
import { http } from '../support/http';
import { runScu } from '../support/storescu';
import { startTestStack, type TestStack } from '../support/test-stack';

const CANARY = { PatientName: 'Cstorecanary^Rw2', PatientID: 'CSTORE-PID-6610' };
// Far longer than the test: only an operation ends the RECEIVING window.
const IDLE_SECONDS = 600;

type Row = { id: string; status: string; folderName: string; url: string; allowed: string[] };

describe('C-STORE: a RECEIVING study can be deleted and rebuilt before its idle time', () => {
  let stack: TestStack;
  let dir: string;
  let port: number;

  beforeAll(async () => {
    stack = await startTestStack();
    dir = await mkdtemp(join(tmpdir(), 'cstore-receiving-ops-'));
    port = await freePort();
    const created = await http(stack.baseUrl, 'POST', '/api/receivers', JSON.stringify({ id: 'rx-ops', aeTitle: 'RXOPS', port, destination: 'prearchive', allowedCallingAeTitles: ['MODALITY1'], sessionIdleSeconds: IDLE_SECONDS }), 'application/json');
    expect(created.status, created.text).toBe(201);
  });
  afterAll(async () => {
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const unassigned = async () => JSON.parse((await http(stack.baseUrl, 'GET', '/api/prearchive?project=Unassigned')).text).sessions as Row[];
  const sendFiles = async (study: string, numbers: number[]) => {
    const paths: string[] = [];
    for (const i of numbers) {
      const p = join(dir, `${study}-${i}.dcm`);
      await writeFile(p, buildDicom({ rows: 8, columns: 8, elements: { ...CANARY, PatientComments: 'Subject:CS1 Session:CSESS1', StudyInstanceUID: study, SeriesInstanceUID: `${study}.1`, SOPInstanceUID: `${study}.1.${i}`, SeriesNumber: '1' } }));
      paths.push(p);
    }
    const sent = await runScu('storescu', { port, callingAe: 'MODALITY1', calledAe: 'RXOPS', files: paths }).done;
    expect(sent.code, sent.output).toBe(0);
  };

  it('When a study sent by storescu is deleted while RECEIVING, then nothing of it remains; sent again, it is a new RECEIVING study that a rebuild (JSON API, 202) builds into one READY session', async () => {
    const study = `2.25.${Date.now()}${process.pid}`;
    const key = receivedStudyKey('rx-ops', study);
    await sendFiles(study, [1, 2, 3]);
    const [row] = await unassigned();
    expect(row).toMatchObject({ status: 'RECEIVING', allowed: ['delete', 'rebuild'] });
    const objectKeys = (await stack.db('received_files').where({ study_key: key })).map((r) => r.object_key as string);
    expect(objectKeys).toHaveLength(3);

    const deleted = await http(stack.baseUrl, 'DELETE', `/data${row.url}`);
    expect(deleted.status, deleted.text).toBe(200);
    expect(await unassigned()).toEqual([]);
    expect(await stack.db('received_files').where({ study_key: key })).toEqual([]);
    for (const k of objectKeys) expect(await stack.store.exists(k)).toBe(false);
    const first = stack.client.workflow.getHandle(studyWorkflowId(key));
    expect(await first.result()).toMatchObject({ received: 3, imports: 0, deleted: { prearchiveId: row.id, files: 3 } });
    const firstRun = await first.describe();
    expect(firstRun.status.name).toBe('COMPLETED');
    expect((await stack.db('audit_events').where({ action: 'prearchive.deleted', session_id: row.id })).length).toBe(1);

    await sendFiles(study, [1, 2]);
    const [again] = await unassigned();
    expect(again).toMatchObject({ status: 'RECEIVING' });
    expect(again.id).not.toBe(row.id);
    const accepted = await http(stack.baseUrl, 'POST', `/api/prearchive/${again.id}/rebuild`);
    expect(accepted.status, accepted.text).toBe(202);
    const { workflowId, runId } = JSON.parse(accepted.text) as { workflowId: string; runId: string };
    expect(workflowId).toBe(studyWorkflowId(key));
    const second = stack.client.workflow.getHandle(workflowId, runId);
    expect(runId).not.toBe(firstRun.runId);
    expect(await second.result()).toMatchObject({ received: 2, imports: 1, importedFiles: 2, failedImports: 0 });
    expect(await unassigned()).toEqual([expect.objectContaining({ status: 'READY', folderName: 'CSESS1' })]);
    expect(await stack.store.list('prearchive/Unassigned')).toHaveLength(2);
    // The built session is no longer the intake's: another rebuild request for the old row finds nothing.
    expect((await http(stack.baseUrl, 'POST', `/api/prearchive/${again.id}/rebuild`)).status).toBe(404);
  });
});
