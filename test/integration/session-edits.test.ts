import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDicom } from '../../src/dicom';
import { zipBuffers } from '../../src/storage/zip-write';
import { buildDicom } from '../factories/dicom-builder';
import { historyText } from '../support/history-text';
import { http } from '../support/http';
import { holdSessionLock } from '../support/lock-holder';
import { startTestStack, type TestStack } from '../support/test-stack';

const CANARY_NAME = 'Editcanary^Rw8';
const CANARY_ID = 'EDIT-CANARY-5512';
const STUDY_DATE = '20240102';
const SHIFTED_ONCE = '20240112';

const SITE_SCRIPT = `version "6.1"
(0010,0010) := subject
(0010,0020) := session
`;
/**
 * An idempotent project script: labels into the header every time; the date shift and the UID hash only once,
 * guarded by a marker the script itself writes.
 */
const projectScript = (institution: string) => `version "6.1"
(0010,0010) := subject
(0010,0020) := session
(0008,1030) := project
(0008,0080) := "${institution}"
(0012,0062) != "YES" ? (0008,0020) := shiftDateByIncrement[(0008,0020), 10]
(0012,0062) != "YES" ? (0020,000D) := hashUID[(0020,000D)]
(0012,0062) := "YES"
`;
const FAILING_SCRIPT = `version "6.1"
(0010,0020) := shiftDateByIncrement[(0010,0010), 1]
`;

let counter = 0;
async function studyZip(n: number): Promise<Buffer> {
  counter++;
  const study = `2.25.${Date.now()}${counter}`;
  const files = Array.from({ length: n }, (_, i) =>
    buildDicom({
      elements: { PatientName: CANARY_NAME, PatientID: CANARY_ID, StudyDate: STUDY_DATE, StudyInstanceUID: study, SeriesInstanceUID: `${study}.1`, SOPInstanceUID: `${study}.1.${i + 1}`, SeriesNumber: '1', InstanceNumber: String(i + 1) },
    }),
  );
  return zipBuffers(files.map((data, i) => ({ name: `s/${i}.dcm`, data })));
}

/** What a test checks of each archived file of a session. */
async function headersOf(stack: TestStack, projectId: string, label: string) {
  const session = (await stack.repos.archive.sessionByLabel(projectId, label))!;
  expect(session, `${projectId}/${label}`).toBeDefined();
  const instances = await stack.repos.archive.instances(session.id);
  const files = await Promise.all(
    instances.map(async (i) => {
      const ds = await openDicom(stack.store.path(i.objectKey));
      expect((await stack.store.digest(i.objectKey)).sha256).toBe(i.contentSha256);
      return {
        key: i.objectKey,
        name: ds.getString(0x00100010),
        id: ds.getString(0x00100020),
        project: ds.getString(0x00081030),
        institution: ds.getString(0x00080080),
        date: ds.getString(0x00080020),
        study: ds.getString(0x0020000d),
        codes: ds.getDeidentificationMethodCodes(),
      };
    }),
  );
  return { session, files };
}

describe('metadata edits re-run the project script, through Temporal', () => {
  let stack: TestStack;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    stack = await startTestStack({ DICOM_INTAKE_VERSION_RETENTION_SECONDS: '2' });
    for (const p of ['EA', 'EB', 'EF']) {
      expect((await http(stack.baseUrl, 'PUT', `/data/projects/${p}`)).status).toBe(201);
      ids[p] = JSON.parse((await http(stack.baseUrl, 'PUT', `/data/config/edit/projects/${p}/image/dicom/script`, projectScript(`INST ${p}`))).text).id;
    }
    ids.site = JSON.parse((await http(stack.baseUrl, 'PUT', '/xapi/anonymize/site', SITE_SCRIPT)).text).id;
  });
  afterAll(async () => stack?.stop());

  const archive = async (project: string, subject: string, session: string, n = 2) => {
    const res = await http(stack.baseUrl, 'POST', `/data/services/import?import-handler=DICOM-zip&inbody=true&dest=/archive/projects/${project}/subjects/${subject}/experiments/${session}`, await studyZip(n), 'application/zip');
    expect(res.status, res.text).toBe(200);
    return headersOf(stack, project, session);
  };
  /** Replays a workflow's history against the current bundle (every workflow test does). */
  const replay = async (workflowId: string) => {
    const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
    await Worker.runReplayHistory(stack.replayOptions, history, workflowId);
    return history;
  };
  /** Crashes each step of the edit once, after its side effect. */
  const crashEachStepOnce = () => {
    stack.fired.length = 0;
    for (const p of ['edit-pass:after-file', 'edit:after-move', 'edit:after-catalog']) stack.faults.add(p);
  };
  /** Exactly once: the edit recorded one project pass per file (archive passes carry no session id), despite the crashes. */
  const expectOneEditPassPerFile = async (sessionId: string, files = 2) => {
    expect(stack.fired.sort()).toEqual(['edit-pass:after-file', 'edit:after-catalog', 'edit:after-move']);
    expect(await stack.db('anonymization_passes').where({ kind: 'project', session_id: sessionId })).toHaveLength(files);
  };
  const edit = async (path: string) => {
    const res = await http(stack.baseUrl, 'POST', `${path}${path.includes('?') ? '&' : '?'}wait=true`);
    return { status: res.status, body: JSON.parse(res.text) };
  };

  it('When a session is relabelled while activities crash after their side effects, then its headers carry the new label, one more (0012,0064) item, dates and UIDs changed once, the DB agrees, and the old versions are purged after the retention', async () => {
    const before = await archive('EA', 'SUBA', 'SESA');
    expect(before.files.map((f) => [f.id, f.date, f.codes])).toEqual(before.files.map(() => ['SESA', SHIFTED_ONCE, [String(ids.site), String(ids.EA)]]));
    crashEachStepOnce();

    const { status, body } = await edit('/api/archive/projects/EA/sessions/SESA/relabel?label=SESA_NEW');
    expect(status, JSON.stringify(body)).toBe(200);
    expect(stack.fired).toEqual(expect.arrayContaining(['edit-pass:after-file', 'edit:after-move', 'edit:after-catalog']));
    expect(body.result).toMatchObject({ sessions: 1, files: 2, projectPass: true });

    const after = await headersOf(stack, 'EA', 'SESA_NEW');
    expect(after.session.id).toBe(before.session.id);
    expect(await stack.repos.archive.sessionByLabel('EA', 'SESA')).toBeUndefined();
    for (const f of after.files) {
      expect(f).toMatchObject({ id: 'SESA_NEW', name: 'SUBA', project: 'EA', date: SHIFTED_ONCE, codes: [String(ids.site), String(ids.EA), String(ids.EA)] });
      expect(f.key.startsWith('archive/EA/SUBA/SESA_NEW/')).toBe(true);
    }
    // The guarded script hashed the study UID once, at archive; the re-run left it as it was.
    expect(new Set(after.files.map((f) => f.study))).toEqual(new Set(before.files.map((f) => f.study)));
    // Exactly once: one project pass per file at archive, one per file for the edit, despite the retries.
    const passes = await stack.db('anonymization_passes').where({ kind: 'project', session_id: after.session.id });
    expect(passes).toHaveLength(2);
    expect((await stack.repos.audit.forSession(after.session.id)).map((e) => e.action)).toEqual(['session.archived', 'session.edited']);
    expect(await stack.store.list('staging')).toEqual([]);

    // The superseded versions are kept, then purged after the retention, audited.
    for (const f of before.files) expect(await stack.store.exists(f.key)).toBe(true);
    const purge = await stack.client.workflow.getHandle(`purge-versions-${body.editId}`).result();
    expect(purge).toEqual({ purged: 2 });
    for (const f of before.files) expect(await stack.store.exists(f.key)).toBe(false);
    expect((await stack.repos.audit.forSession(after.session.id)).map((e) => e.action)).toContain('file-versions.purged');
    expect(await stack.db('file_versions').where({ superseded_by_edit: body.editId }).whereNull('purged_at')).toEqual([]);
    await replay(`purge-versions-${body.editId}`);

    // The history carries ids only, and replays.
    const history = await stack.client.workflow.getHandle(body.workflowId).fetchHistory();
    const text = historyText(history);
    for (const canary of [CANARY_NAME, CANARY_ID, 'Editcanary', 'SESA_NEW']) expect(text).not.toContain(canary);
    await Worker.runReplayHistory(stack.replayOptions, history, body.workflowId);
    // Negative control: the same history with its first activity renamed must not replay.
    const tampered = structuredClone(history);
    tampered.events!.find((e) => e.activityTaskScheduledEventAttributes)!.activityTaskScheduledEventAttributes!.activityType!.name = 'applyEdit';
    await expect(Worker.runReplayHistory(stack.replayOptions, tampered, body.workflowId)).rejects.toThrow(/[Nn]ondetermin/);
    const eventTypes = (history.events ?? []).map((e) => temporal.api.enums.v1.EventType[e.eventType ?? 0]);
    const dir = resolve(__dirname, '../../test-output');
    mkdirSync(dir, { recursive: true });
    writeFileSync(resolve(dir, 'edit-session-history-event-types.txt'), eventTypes.join('\n') + '\n');
  });

  it('When a subject is relabelled (each step crashing once), then its sessions\' headers carry the new subject label and one more item', async () => {
    await archive('EA', 'SUBB', 'SESB');
    crashEachStepOnce();
    const { status, body } = await edit('/api/archive/projects/EA/subjects/SUBB/relabel?label=SUBB_NEW');
    expect(status, JSON.stringify(body)).toBe(200);
    const after = await headersOf(stack, 'EA', 'SESB');
    await expectOneEditPassPerFile(after.session.id);
    await replay(body.workflowId);
    expect(after.session.subjectLabel).toBe('SUBB_NEW');
    expect(await stack.repos.archive.subjectByLabel('EA', 'SUBB')).toBeUndefined();
    for (const f of after.files) expect(f).toMatchObject({ name: 'SUBB_NEW', id: 'SESB', date: SHIFTED_ONCE, codes: [String(ids.site), String(ids.EA), String(ids.EA)] });
  });

  it('When a session moves to another project (each step crashing once), then the new project\'s script runs with the new project and the old script\'s changes stay', async () => {
    await archive('EA', 'SUBC', 'SESC');
    crashEachStepOnce();
    const { status, body } = await edit('/api/archive/projects/EA/sessions/SESC/move?project=EB');
    expect(status, JSON.stringify(body)).toBe(200);
    expect(await stack.repos.archive.sessionByLabel('EA', 'SESC')).toBeUndefined();
    const after = await headersOf(stack, 'EB', 'SESC');
    await expectOneEditPassPerFile(after.session.id);
    await replay(body.workflowId);
    expect(after.session.subjectLabel).toBe('SUBC');
    for (const f of after.files) expect(f).toMatchObject({ project: 'EB', institution: 'INST EB', date: SHIFTED_ONCE, codes: [String(ids.site), String(ids.EA), String(ids.EB)] });
  });

  it('When a session is assigned to another subject (each step crashing once), then its headers carry that subject and one more item', async () => {
    await archive('EA', 'SUBD', 'SESD');
    crashEachStepOnce();
    const { status, body } = await edit('/api/archive/projects/EA/sessions/SESD/reassign?subject=SUBD_OTHER');
    expect(status, JSON.stringify(body)).toBe(200);
    const after = await headersOf(stack, 'EA', 'SESD');
    await expectOneEditPassPerFile(after.session.id);
    await replay(body.workflowId);
    expect(after.session.subjectLabel).toBe('SUBD_OTHER');
    for (const f of after.files) expect(f).toMatchObject({ name: 'SUBD_OTHER', id: 'SESD', codes: [String(ids.site), String(ids.EA), String(ids.EA)] });
  });

  it('When the re-pass fails on a file, then nothing changes and the edit is FAILED; once the script is fixed a retry completes it and both runs stay visible', async () => {
    const before = await archive('EF', 'SUBF', 'SESF');
    await http(stack.baseUrl, 'PUT', '/data/config/edit/projects/EF/image/dicom/script', FAILING_SCRIPT);
    const { status, body } = await edit('/api/archive/projects/EF/sessions/SESF/relabel?label=SESF_NEW');
    expect(status).toBe(422);
    expect(body.error).toMatch(/^AnonymizationFailedError: project script \d+ \(v2\) failed on instance .* nothing was changed/);
    const after = await headersOf(stack, 'EF', 'SESF');
    expect(after.files).toEqual(before.files);
    expect(await stack.repos.archive.sessionByLabel('EF', 'SESF_NEW')).toBeUndefined();
    expect(await stack.repos.edits.get(body.editId)).toMatchObject({ status: 'FAILED' });
    expect(await stack.store.list('staging')).toEqual([]);
    expect(await stack.db('session_locks')).toEqual([]);
    await replay(body.workflowId);
    const fixedScript = JSON.parse((await http(stack.baseUrl, 'PUT', '/data/config/edit/projects/EF/image/dicom/script', projectScript('INST EF'))).text).id;

    // Once the script is fixed, the failed edit is listed and retried from its recorded request; both runs stay.
    const failed = JSON.parse((await http(stack.baseUrl, 'GET', '/api/workflows?failed=true&type=editSession')).text).workflows;
    expect(failed.map((w: { workflowId: string }) => w.workflowId)).toContain(body.workflowId);
    const retried = await http(stack.baseUrl, 'POST', `/api/archive/retry?workflowId=${body.workflowId}`);
    expect(retried.status, retried.text).toBe(200);
    expect(await stack.repos.edits.get(body.editId)).toMatchObject({ status: 'DONE' });
    const fixed = await headersOf(stack, 'EF', 'SESF_NEW');
    for (const f of fixed.files) expect(f).toMatchObject({ id: 'SESF_NEW', codes: [String(ids.site), String(ids.EF), String(fixedScript)] });
    const runs: string[] = [];
    for await (const w of stack.client.workflow.list({ query: `WorkflowId = '${body.workflowId}'` })) runs.push(w.status.name);
    expect(runs.sort()).toEqual(['COMPLETED', 'FAILED']);
    await replay(body.workflowId);
  });

  it('When an archive holds the session, then an edit waits its turn and a second edit is refused clearly; never interleaved', async () => {
    const { session } = await archive('EA', 'SUBG', 'SESG');
    const holder = await holdSessionLock(stack, session.id, 'archive-held-by-test');
    const started = await http(stack.baseUrl, 'POST', '/api/archive/projects/EA/sessions/SESG/relabel?label=SESG_NEW');
    expect(started.status).toBe(202);
    const { editId, workflowId } = JSON.parse(started.text);
    const second = await http(stack.baseUrl, 'POST', '/api/archive/projects/EA/sessions/SESG/reassign?subject=X');
    expect(second.status).toBe(409);
    expect(second.text).toContain('another edit of this session is running');
    await new Promise((r) => setTimeout(r, 1500));
    expect((await stack.repos.edits.get(editId))!.status).toBe('RUNNING');
    expect((await stack.repos.archive.session(session.id))!.label).toBe('SESG');
    await stack.db('session_locks').where({ session_id: session.id }).delete();
    await stack.client.workflow.getHandle(workflowId).result();
    expect((await stack.repos.archive.session(session.id))!.label).toBe('SESG_NEW');
    await replay(workflowId);
    await holder.terminate('test over');
  });

  it('When an edit workflow is terminated while it waits for a session, then its edit can be retried by its workflow id and completes', async () => {
    const { session } = await archive('EA', 'SUBI', 'SESI');
    const holder = await holdSessionLock(stack, session.id, 'archive-held-by-test');
    const started = await http(stack.baseUrl, 'POST', '/api/archive/projects/EA/sessions/SESI/relabel?label=SESI_NEW');
    expect(started.status).toBe(202);
    const { editId, workflowId } = JSON.parse(started.text);
    await new Promise((r) => setTimeout(r, 1000));
    await stack.client.workflow.getHandle(workflowId).terminate('an operator stopped it from the Web UI');
    expect((await stack.repos.edits.get(editId))!.status).toBe('RUNNING'); // it never reached its failure step
    await holder.terminate('test over');
    const retried = await http(stack.baseUrl, 'POST', `/api/archive/retry?workflowId=${workflowId}`);
    expect(retried.status, retried.text).toBe(200);
    await stack.client.workflow.getHandle(workflowId).result();
    expect((await stack.repos.edits.get(editId))!.status).toBe('DONE');
    expect((await stack.repos.archive.session(session.id))!.label).toBe('SESI_NEW');
    expect(await stack.repos.sessionLocks.holder(session.id)).toBeUndefined();
  });

  it('When the workflow holding a session was terminated without releasing it, then an edit waits while it runs, takes the lock over once it has ended (audited) and completes', async () => {
    const { session } = await archive('EA', 'SUBH', 'SESH');
    const holder = await holdSessionLock(stack, session.id, 'edit-terminated-by-test');
    // The holder stands for an edit workflow stopped half-way: its edit row is RUNNING and it staged a file.
    const stuck = await stack.repos.edits.create({ kind: 'session-relabel', sessionId: session.id, projectId: 'EA', target: { sessionLabel: 'SESH_STUCK' }, workflowId: holder.workflowId });
    await stack.store.writeDurable(stack.store.stagingKey(`edit-${stuck.id}`, 'x.dcm'), Buffer.from('staged'));
    const started = await http(stack.baseUrl, 'POST', '/api/archive/projects/EA/sessions/SESH/relabel?label=SESH_NEW');
    expect(started.status).toBe(202);
    const { editId, workflowId } = JSON.parse(started.text);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await stack.repos.edits.get(editId))!.status).toBe('RUNNING');
    expect(await stack.repos.sessionLocks.holder(session.id)).toBe(holder.workflowId);
    await holder.terminate('an operator stopped it from the Web UI');
    await stack.client.workflow.getHandle(workflowId).result();
    expect((await stack.repos.archive.session(session.id))!.label).toBe('SESH_NEW');
    const takeover = (await stack.repos.audit.forSession(session.id)).find((e) => e.action === 'session.lock-taken-over');
    expect(takeover).toMatchObject({ actor: 'system', workflowId, detail: { from: holder.workflowId, holderStatus: 'TERMINATED' } });
    expect(await stack.repos.edits.get(stuck.id)).toMatchObject({ status: 'FAILED', error: expect.stringContaining(`workflows retry ${holder.workflowId}`) });
    expect(await stack.store.exists(stack.store.stagingKey(`edit-${stuck.id}`, 'x.dcm'))).toBe(false);
    expect(await stack.repos.sessionLocks.holder(session.id)).toBeUndefined(); // released by the edit's last step
  });
});

describe('metadata edits with rerunProjectAnonOnRename off', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ DICOM_INTAKE_RERUN_PROJECT_ANON_ON_RENAME: 'false' });
    await http(stack.baseUrl, 'PUT', '/data/projects/EO');
    await http(stack.baseUrl, 'PUT', '/data/config/edit/projects/EO/image/dicom/script', projectScript('INST EO'));
  });
  afterAll(async () => stack?.stop());

  it('When a session is relabelled, then only the catalog changes: files, headers and passes stay as they were', async () => {
    const res = await http(stack.baseUrl, 'POST', '/data/services/import?import-handler=DICOM-zip&inbody=true&dest=/archive/projects/EO/subjects/S/experiments/E', await studyZip(2), 'application/zip');
    expect(res.status).toBe(200);
    const before = await headersOf(stack, 'EO', 'E');
    const r = await http(stack.baseUrl, 'POST', '/api/archive/projects/EO/sessions/E/relabel?label=E_NEW&wait=true');
    expect(r.status, r.text).toBe(200);
    expect(JSON.parse(r.text).result).toMatchObject({ files: 0, projectPass: false });
    const after = await headersOf(stack, 'EO', 'E_NEW');
    expect(after.files).toEqual(before.files);
    expect(after.files.every((f) => f.id === 'E')).toBe(true);
    expect(await stack.db('anonymization_passes').where({ kind: 'project' })).toHaveLength(2);
  });
});
