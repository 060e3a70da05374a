import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { studyWorkflowId } from '../../src/client/start-study';
import { receivedStudyKey } from '../../src/scp/receiver';
import { buildDicom } from '../factories/dicom-builder';
import { freePort } from '../support/free-port';
import { http } from '../support/http';
import { runScu } from '../support/storescu';
import { startTestStack, type TestStack } from '../support/test-stack';

const CANARY = { PatientName: 'Unassignedcanary^Q3', PatientID: 'UNASSIGNED-PID-9042', PatientBirthDate: '19390911' };
const SITE_SCRIPT = 'version "6.1"\n-(0010,0030)\n';
// Long enough that both associations and the checks between them fall inside one idle window on a busy machine.
const IDLE_SECONDS = 6;

type Row = { id: string; project: string; status: string; folderName: string; subject: string | null; url: string; allowed: string[] };

describe('C-STORE: studies are listed RECEIVING while they arrive, and one that names no project lands in the Unassigned prearchive', () => {
  let stack: TestStack;
  let dir: string;
  let port: number;

  beforeAll(async () => {
    stack = await startTestStack();
    dir = await mkdtemp(join(tmpdir(), 'cstore-unassigned-'));
    expect((await http(stack.baseUrl, 'PUT', '/data/projects/LATER')).status).toBe(201);
    expect((await http(stack.baseUrl, 'PUT', '/xapi/anonymize/site', SITE_SCRIPT)).status).toBe(200);
    port = await freePort();
    // Destination archive: a study without a project cannot be archived, so it waits in Unassigned (as in XNAT).
    const created = await http(stack.baseUrl, 'POST', '/api/receivers', JSON.stringify({ id: 'rx-un', aeTitle: 'UNASSIGNED', port, destination: 'archive', allowedCallingAeTitles: ['MODALITY1'], sessionIdleSeconds: IDLE_SECONDS }), 'application/json');
    expect(created.status, created.text).toBe(201);
  });
  afterAll(async () => {
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const unassigned = async () => JSON.parse((await http(stack.baseUrl, 'GET', '/api/prearchive?project=Unassigned')).text).sessions as Row[];

  it('When a study naming no project is sent by storescu in two associations, then it is RECEIVING (opaque, count growing, only delete and rebuild allowed) during the idle time, then READY in Unassigned, and a site admin can move it to a project', async () => {
    const study = `2.25.${Date.now()}${process.pid}`;
    const paths: string[] = [];
    for (const s of [1, 2]) {
      for (const i of [1, 2]) {
        const p = join(dir, `${s}-${i}.dcm`);
        // Subject and session labels, but no Project: (and no study description or accession number to route by).
        await writeFile(p, buildDicom({ rows: 8, columns: 8, elements: { ...CANARY, PatientComments: 'Subject:US1 Session:USESS1', StudyInstanceUID: study, SeriesInstanceUID: `${study}.${s}`, SOPInstanceUID: `${study}.${s}.${i}`, SeriesNumber: String(s) } }));
        paths.push(p);
      }
    }
    const first = await runScu('storescu', { port, callingAe: 'MODALITY1', calledAe: 'UNASSIGNED', files: paths.slice(0, 2) }).done;
    expect(first.code, first.output).toBe(0);
    let rows = await unassigned();
    // XNAT's table: a RECEIVING session allows delete and rebuild only (test/integration/receiving-operations.test.ts runs them).
    expect(rows).toEqual([expect.objectContaining({ project: 'Unassigned', status: 'RECEIVING', subject: null, folderName: expect.stringMatching(/^receiving_[0-9a-f]{16}$/), allowed: ['delete', 'rebuild'] })]);
    const details = async () => JSON.parse((await http(stack.baseUrl, 'GET', `/api/prearchive/${rows[0].id}`)).text);
    expect((await details()).files).toBe(2);
    for (const op of ['commit', 'move?project=LATER']) {
      const refused = await http(stack.baseUrl, 'POST', `/api/prearchive/${rows[0].id}/${op}`);
      expect(refused.status, op).toBe(409);
      expect(refused.text).toMatch(/still arriving \(RECEIVING\)/);
    }
    const xnatMove = await http(stack.baseUrl, 'POST', `/data${rows[0].url}?action=move&newProject=LATER`);
    expect(xnatMove.status).toBe(409);

    const second = await runScu('storescu', { port, callingAe: 'MODALITY1', calledAe: 'UNASSIGNED', files: paths.slice(2) }).done;
    expect(second.code, second.output).toBe(0);
    expect(await unassigned()).toHaveLength(1);
    expect((await details()).files).toBe(4);
    const rowText = JSON.stringify(await stack.db('prearchive_sessions').select());
    for (const v of Object.values(CANARY)) expect(rowText).not.toContain(v);

    const handle = stack.client.workflow.getHandle(studyWorkflowId(receivedStudyKey('rx-un', study)));
    expect(await handle.result()).toMatchObject({ received: 4, imports: 1, importedFiles: 4, failedImports: 0 });

    rows = await unassigned();
    expect(rows).toEqual([expect.objectContaining({ project: 'Unassigned', status: 'READY', folderName: 'USESS1', subject: 'US1' })]);
    expect(await stack.store.list(`prearchive/Unassigned`)).toHaveLength(4);
    expect(await stack.store.list('archive')).toEqual([]);
    // Not archived, so no project pass ran; the site pass did, once per file.
    const upload = await stack.db('uploads').where({ method: 'cstore' }).first();
    expect(upload).toMatchObject({ destination: 'archive', status: 'PREARCHIVED' });
    expect(await stack.repos.passes.count({ kind: 'site', uploadId: upload.id })).toBe(4);
    expect(await stack.repos.passes.count({ kind: 'project', uploadId: upload.id })).toBe(0);

    const moved = await http(stack.baseUrl, 'POST', `/api/prearchive/${rows[0].id}/move?project=LATER&wait=true`);
    expect(moved.status, moved.text).toBe(200);
    expect(await unassigned()).toEqual([]);
    expect((await stack.store.list('prearchive/LATER')).filter((k) => k.includes('/USESS1/'))).toHaveLength(4);
  });
});
