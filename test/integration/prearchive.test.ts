import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDicom } from '../../src/dicom';
import { zipBuffers } from '../../src/storage/zip-write';
import { buildDicom } from '../factories/dicom-builder';
import { historyText } from '../support/history-text';
import { holdSessionLock, startLockHolder } from '../support/lock-holder';
import { http } from '../support/http';
import { startTestStack, type TestStack } from '../support/test-stack';

const CANARY_NAME = 'Prearcanary^Vq3';
const CANARY_ID = 'PREARC-CANARY-991';

const SITE_SCRIPT = `version "6.1"
(0010,0010) := subject
(0010,0020) := session
`;
const projectScript = (tag: string) => `version "6.1"
(0008,1030) := project
(0008,0080) := "${tag}"
`;

let counter = 0;
/** A new synthetic study of `n` slices, zipped; `comments` goes into PatientComments (for Project:/AA: hints). */
async function studyZip(n: number, comments?: string): Promise<Buffer> {
  counter++;
  const study = `2.25.${Date.now()}${counter}`;
  const files = Array.from({ length: n }, (_, i) =>
    buildDicom({
      elements: {
        PatientName: CANARY_NAME,
        PatientID: CANARY_ID,
        StudyInstanceUID: study,
        SeriesInstanceUID: `${study}.1`,
        SOPInstanceUID: `${study}.1.${i + 1}`,
        SeriesNumber: '1',
        InstanceNumber: String(i + 1),
        ...(comments ? { PatientComments: comments } : {}),
      },
    }),
  );
  return zipBuffers(files.map((data, i) => ({ name: `s/${i}.dcm`, data })));
}

describe('the prearchive lifecycle, through Temporal', () => {
  let stack: TestStack;
  const scriptIds: Record<string, number> = {};

  beforeAll(async () => {
    stack = await startTestStack();
    for (const [p, code] of [['PA', 0], ['PB', 0], ['PAUTO', 4], ['PFIVE', 5]] as const) {
      expect((await http(stack.baseUrl, 'PUT', `/data/projects/${p}?prearchive_code=${code}`)).status).toBe(201);
      const r = await http(stack.baseUrl, 'PUT', `/data/config/edit/projects/${p}/image/dicom/script`, projectScript(`ANON ${p}`));
      scriptIds[p] = JSON.parse(r.text).id;
    }
    scriptIds.site = JSON.parse((await http(stack.baseUrl, 'PUT', '/xapi/anonymize/site', SITE_SCRIPT)).text).id;
  });
  afterAll(async () => stack?.stop());

  /** Uploads to the prearchive (of `project`, or Unassigned) and returns the prearchive session row. */
  const prearchive = async (project: string | undefined, subject: string, session: string, zip: Buffer) => {
    const q = new URLSearchParams({ 'import-handler': 'DICOM-zip', inbody: 'true', dest: project ? `/prearchive/projects/${project}` : '/prearchive', SUBJECT_ID: subject, EXPT_LABEL: session });
    const res = await http(stack.baseUrl, 'POST', `/data/services/import?${q}`, zip, 'application/zip');
    expect(res.status, res.text).toBe(200);
    const [url] = res.text.trim().split('\n');
    const m = /^\/data\/prearchive\/projects\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url)!;
    expect(m, url).toBeTruthy();
    const row = (await stack.repos.prearchive.byAddress(m[1], m[2], m[3]))!;
    return { url, row };
  };
  /** Replays a workflow's history against the current bundle (every workflow test does). */
  const replay = async (workflowId: string) => {
    const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
    await Worker.runReplayHistory(stack.replayOptions, history, workflowId);
  };
  const statusOf = async (id: string) => (await stack.repos.prearchive.get(id))?.status;
  const codesIn = async (prefix: string) => Promise.all((await stack.store.list(prefix)).map(async (k) => (await openDicom(stack.store.path(k))).getDeidentificationMethodCodes()));

  it('When a zip is sent to a manual project\'s prearchive, then it waits READY after the site pass only, and its details say so', async () => {
    const { url, row } = await prearchive('PA', 'S1', 'E1', await studyZip(3));
    expect(row.status).toBe('READY');
    expect(url).toMatch(/^\/data\/prearchive\/projects\/PA\/\d{8}_\d{9}\/E1$/);
    const folder = url.replace('/data/prearchive/projects/', 'prearchive/');
    expect(await codesIn(folder)).toEqual([[String(scriptIds.site)], [String(scriptIds.site)], [String(scriptIds.site)]]);
    expect(await stack.repos.passes.count({ kind: 'project', uploadId: row.uploadId! })).toBe(0);
    expect(await stack.repos.archive.sessionByLabel('PA', 'E1')).toBeUndefined();

    const details = JSON.parse((await http(stack.baseUrl, 'GET', url)).text);
    expect(details).toMatchObject({ status: 'READY', project: 'PA', subject: 'S1', files: 3, scans: [{ scan: '1', files: 3 }], reason: null, allowed: ['commit', 'move', 'delete', 'rebuild'] });
    expect(details.passes).toEqual({ site: { files: 3, scriptIds: [scriptIds.site], skipped: false }, project: { files: 0 } });
    const list = JSON.parse((await http(stack.baseUrl, 'GET', '/data/prearchive/projects/PA')).text);
    expect(list.ResultSet.Result.map((r: { id: string }) => r.id)).toContain(row.id);
  });

  it('When a READY session is committed (with crashes after side effects), then the project pass runs once at commit, recorded, and the session leaves the prearchive; the history replays', async () => {
    const { url, row } = await prearchive('PA', 'S2', 'E2', await studyZip(2));
    for (const p of ['project-pass:after-file', 'commit:after-move', 'commit:after-catalog']) stack.faults.add(p);
    const res = await http(stack.baseUrl, 'POST', `${url}?action=commit`);
    expect(res.text).toBe('/data/archive/projects/PA/subjects/S2/experiments/E2\n');
    expect(res.status).toBe(200);
    expect(stack.fired).toEqual(expect.arrayContaining(['project-pass:after-file', 'commit:after-move', 'commit:after-catalog']));

    expect(await codesIn('archive/PA/S2/E2')).toEqual([[String(scriptIds.site), String(scriptIds.PA)], [String(scriptIds.site), String(scriptIds.PA)]]);
    const passes = await stack.db('anonymization_passes').where({ upload_id: row.uploadId });
    expect(passes.filter((p) => p.kind === 'site')).toHaveLength(2);
    const project = passes.filter((p) => p.kind === 'project');
    expect(project).toHaveLength(2);
    expect(project.every((p) => p.workflow_id === `prearchive-${row.id}` && p.script_id === scriptIds.PA)).toBe(true);
    expect(await stack.repos.prearchive.get(row.id)).toBeUndefined();
    expect(await stack.store.list(url.replace('/data/prearchive/projects/', 'prearchive/'))).toEqual([]);
    const session = (await stack.repos.archive.sessionByLabel('PA', 'E2'))!;
    expect(await stack.repos.archive.instances(session.id)).toHaveLength(2);
    expect((await stack.repos.audit.forSession(session.id)).map((e) => e.action)).toEqual(['session.archived']);

    const history = await stack.client.workflow.getHandle(`prearchive-${row.id}`).fetchHistory();
    const text = historyText(history);
    for (const canary of [CANARY_NAME, CANARY_ID, 'Prearcanary']) expect(text).not.toContain(canary);
    expect(text).toContain('claimPrearchive');
    await Worker.runReplayHistory(stack.replayOptions, history, `prearchive-${row.id}`);
  });

  it('When a label already in the archive is committed with overwrite=none, then the session is CONFLICT with a reason and nothing merges; append then adds, delete then replaces', async () => {
    const first = await prearchive('PA', 'S3', 'E3', await studyZip(2));
    expect((await http(stack.baseUrl, 'POST', `${first.url}?action=commit`)).status).toBe(200);
    const session = (await stack.repos.archive.sessionByLabel('PA', 'E3'))!;
    const before = (await stack.repos.archive.instances(session.id)).map((i) => i.objectKey);

    const second = await prearchive('PA', 'S3', 'E3', await studyZip(1));
    const refused = await http(stack.baseUrl, 'POST', `/data/services/archive?src=${second.url.replace('/data', '')}&overwrite=none`);
    expect(refused.status).toBe(409);
    expect(refused.text).toMatch(/session E3 already exists in the archive of project PA.*overwrite=append/);
    const conflicted = (await stack.repos.prearchive.get(second.row.id))!;
    expect(conflicted.status).toBe('CONFLICT');
    expect(conflicted.reason).toMatch(/^SessionConflictError: session E3 already exists/);
    expect(conflicted.lockedBy).toBeNull();
    expect((await stack.repos.archive.instances(session.id)).map((i) => i.objectKey)).toEqual(before);
    // CONFLICT allows no project change.
    expect((await http(stack.baseUrl, 'POST', `${second.url}?action=move&newProject=PB`)).status).toBe(409);

    const appended = await http(stack.baseUrl, 'POST', `/data/services/archive?src=${second.url.replace('/data', '')}&overwrite=append`);
    expect(appended.status, appended.text).toBe(200);
    const afterAppend = (await stack.repos.archive.instances(session.id)).map((i) => i.objectKey);
    expect(afterAppend).toHaveLength(3);
    expect(afterAppend).toEqual(expect.arrayContaining(before));

    const third = await prearchive('PA', 'S3', 'E3', await studyZip(1));
    const replaced = await http(stack.baseUrl, 'POST', `${third.url}?action=commit&overwrite=delete`);
    expect(replaced.status, replaced.text).toBe(200);
    const afterDelete = await stack.repos.archive.instances(session.id);
    expect(afterDelete).toHaveLength(1);
    expect(await stack.store.list('archive/PA/S3/E3')).toEqual(afterDelete.map((i) => i.objectKey));
  });

  it('When a session lands in Unassigned, then it cannot be committed until it is moved to a project, and the new project\'s script runs at commit', async () => {
    const { url, row } = await prearchive(undefined, 'S4', 'E4', await studyZip(2));
    expect(row.projectId).toBeNull();
    expect(url).toMatch(/^\/data\/prearchive\/projects\/Unassigned\//);
    const refused = await http(stack.baseUrl, 'POST', `${url}?action=commit`);
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('Unassigned; move it to a project first');

    stack.faults.add('prearchive-move:after-files');
    const moved = await http(stack.baseUrl, 'POST', `${url}?action=move&newProject=PB`);
    expect(moved.status, moved.text).toBe(200);
    expect(stack.fired).toContain('prearchive-move:after-files');
    await replay(`prearchive-${row.id}`);
    const newUrl = moved.text.trim();
    expect(newUrl).toBe(url.replace('/Unassigned/', '/PB/'));
    expect(await stack.store.list(url.replace('/data/prearchive/projects/', 'prearchive/'))).toEqual([]);
    expect(await codesIn(newUrl.replace('/data/prearchive/projects/', 'prearchive/'))).toEqual([[String(scriptIds.site)], [String(scriptIds.site)]]);
    expect(await statusOf(row.id)).toBe('READY');

    expect((await http(stack.baseUrl, 'POST', `${newUrl}?action=commit`)).status).toBe(200);
    const keys = await stack.store.list('archive/PB/S4/E4');
    expect(keys).toHaveLength(2);
    for (const k of keys) expect((await openDicom(stack.store.path(k))).getString(0x00080080)).toBe('ANON PB');
  });

  it('When the workflow that claimed a session ended without finishing (terminated), then the session becomes ERROR with the reason (audited) and can be deleted; while it runs, it cannot', async () => {
    const { url, row } = await prearchive('PA', 'S7', 'E7', await studyZip(1));
    const holder = await startLockHolder(stack.client, 'archive-terminated-by-test');
    await stack.db('prearchive_sessions').where({ id: row.id }).update({ status: 'ARCHIVING', locked_by: holder.workflowId });
    expect((await http(stack.baseUrl, 'DELETE', url)).status).toBe(409);
    expect(await statusOf(row.id)).toBe('ARCHIVING');
    await holder.terminate('an operator stopped it from the Web UI');
    const refused = await http(stack.baseUrl, 'POST', `${url}?action=commit`);
    expect(refused.status).toBe(409); // ERROR allows only delete and rebuild
    expect(await stack.repos.prearchive.get(row.id)).toMatchObject({ status: 'ERROR', lockedBy: null, reason: expect.stringContaining(`ended (TERMINATED) without finishing its ARCHIVING step`) });
    const [freed] = await stack.db('audit_events').where({ action: 'prearchive.claim-freed' });
    expect(JSON.parse(freed.detail)).toMatchObject({ prearchiveId: row.id, from: holder.workflowId, holderStatus: 'TERMINATED', status: 'ARCHIVING' });
    const deleted = await http(stack.baseUrl, 'DELETE', url);
    expect(deleted.status, deleted.text).toBe(200);
    expect(await stack.db('prearchive_sessions').where({ id: row.id })).toEqual([]);
  });

  it('When a session is deleted, then no file and no row of it remain', async () => {
    const { url, row } = await prearchive('PA', 'S5', 'E5', await studyZip(2));
    stack.faults.add('prearchive-delete:after-files');
    const res = await http(stack.baseUrl, 'DELETE', url);
    expect(res.status, res.text).toBe(200);
    expect(stack.fired).toContain('prearchive-delete:after-files');
    await replay(`prearchive-${row.id}`);
    expect(await stack.store.list(url.replace('/data/prearchive/projects/', 'prearchive/'))).toEqual([]);
    expect(await stack.db('prearchive_sessions').where({ id: row.id })).toEqual([]);
    expect(await stack.db('upload_groups').where({ id: row.groupId })).toEqual([]);
    expect(await stack.db('upload_files').where({ group_id: row.groupId })).toEqual([]);
    expect(await stack.store.list(`staging/${row.uploadId}`)).toEqual([]);
    expect((await http(stack.baseUrl, 'GET', url)).status).toBe(404);
  });

  it('When a session is held by another operation, then every operation is refused, by the API and by the workflow\'s own claim; ERROR allows only delete and rebuild, and rebuild makes it READY', async () => {
    const { url, row } = await prearchive('PA', 'S6', 'E6', await studyZip(1));
    const holder = await startLockHolder(stack.client, 'someone-else');
    await stack.db('prearchive_sessions').where({ id: row.id }).update({ status: 'QUEUED_ARCHIVING', locked_by: holder.workflowId });
    for (const [method, path] of [['POST', `${url}?action=commit`], ['POST', `${url}?action=move&newProject=PB`], ['POST', `${url}?action=build`], ['DELETE', url]]) {
      const r = await http(stack.baseUrl, method, path);
      expect(r.status, path).toBe(409);
      expect(r.text).toContain('already queued or running (QUEUED_ARCHIVING)');
    }
    // Past the API's quick check (two requests can race), the workflow's claim is what refuses.
    const handle = await stack.client.workflow.start('prearchiveOperation', { taskQueue: stack.taskQueue, workflowId: `prearchive-${row.id}`, args: [{ op: 'delete', prearchiveId: row.id }] });
    await expect(handle.result()).rejects.toMatchObject({ cause: { type: 'PrearchiveStatusError' } });
    expect((await stack.repos.prearchive.get(row.id))).toMatchObject({ status: 'QUEUED_ARCHIVING', lockedBy: holder.workflowId });
    await holder.terminate('test over');
    expect(await stack.store.list(url.replace('/data/prearchive/projects/', 'prearchive/'))).toHaveLength(1);

    await stack.db('prearchive_sessions').where({ id: row.id }).update({ status: 'ERROR', locked_by: null, reason: 'test' });
    expect((await http(stack.baseUrl, 'POST', `${url}?action=commit`)).status).toBe(409);
    expect((await http(stack.baseUrl, 'POST', `${url}?action=move&newProject=PB`)).status).toBe(409);
    const rebuilt = await http(stack.baseUrl, 'POST', `/api/prearchive/${row.id}/rebuild?wait=true`);
    expect(rebuilt.status, rebuilt.text).toBe(200);
    expect(JSON.parse(rebuilt.text).result).toMatchObject({ op: 'rebuild', files: 1 });
    await replay(`prearchive-${row.id}`);
    expect(await stack.repos.prearchive.get(row.id)).toMatchObject({ status: 'READY', reason: null, lockedBy: null });
    const started = JSON.parse((await http(stack.baseUrl, 'POST', `/api/prearchive/${row.id}/commit`)).text);
    expect(started.workflowId).toBe(`prearchive-${row.id}`);
    await stack.client.workflow.getHandle(started.workflowId).result();
    expect(await stack.repos.archive.sessionByLabel('PA', 'E6')).toBeDefined();
  });

  it('When the project archives automatically (code 4) the session goes on to the archive, AA:false keeps it, and code 5 overwrites', async () => {
    const res = await http(stack.baseUrl, 'POST', `/data/services/import?import-handler=DICOM-zip&inbody=true&dest=/prearchive/projects/PAUTO&SUBJECT_ID=S8&EXPT_LABEL=E8`, await studyZip(2), 'application/zip');
    expect(res.text).toBe('/data/archive/projects/PAUTO/subjects/S8/experiments/E8\n');
    expect(await codesIn('archive/PAUTO/S8/E8')).toHaveLength(2);
    const upload = (await stack.db('uploads').orderBy('created_at', 'desc').first())!;
    expect(upload.status).toBe('ARCHIVED');
    await replay(upload.workflow_id);

    const kept = await prearchive('PAUTO', 'S9', 'E9', await studyZip(1, 'AA:false'));
    expect(kept.row.status).toBe('READY');
    expect(await stack.repos.archive.sessionByLabel('PAUTO', 'E9')).toBeUndefined();

    const q = '/data/services/import?import-handler=DICOM-zip&inbody=true&dest=/prearchive/projects/PFIVE&SUBJECT_ID=S10&EXPT_LABEL=E10';
    expect((await http(stack.baseUrl, 'POST', q, await studyZip(2), 'application/zip')).status).toBe(200);
    expect((await http(stack.baseUrl, 'POST', q, await studyZip(1), 'application/zip')).status).toBe(200);
    const session = (await stack.repos.archive.sessionByLabel('PFIVE', 'E10'))!;
    expect(await stack.repos.archive.instances(session.id)).toHaveLength(1);
  });

  it('When a metadata edit holds the archived session, then a commit into it waits its turn (ARCHIVING) and completes once the edit releases it', async () => {
    const first = await prearchive('PA', 'S11', 'E11', await studyZip(1));
    expect((await http(stack.baseUrl, 'POST', `${first.url}?action=commit`)).status).toBe(200);
    const session = (await stack.repos.archive.sessionByLabel('PA', 'E11'))!;
    const holder = await holdSessionLock(stack, session.id, 'session-edit-held-by-test');
    const second = await prearchive('PA', 'S11', 'E11', await studyZip(1));
    const started = JSON.parse((await http(stack.baseUrl, 'POST', `/api/prearchive/${second.row.id}/commit?overwrite=append`)).text);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await statusOf(second.row.id)).toBe('ARCHIVING');
    expect(await stack.repos.archive.instances(session.id)).toHaveLength(1);
    await stack.db('session_locks').where({ session_id: session.id }).delete();
    await stack.client.workflow.getHandle(started.workflowId).result();
    expect(await stack.repos.archive.instances(session.id)).toHaveLength(2);
    expect(await stack.db('session_locks')).toEqual([]);
    await replay(started.workflowId);
    await holder.terminate('test over');
  });

  it('When a project member asks, then they see and operate only their projects\' sessions; Unassigned and other projects answer 403', async () => {
    const login = 'pam';
    expect((await http(stack.baseUrl, 'POST', '/api/users', JSON.stringify({ login, password: 'pam-long-password' }), 'application/json')).status).toBe(201);
    const basicAuth = `Basic ${Buffer.from(`${login}:pam-long-password`).toString('base64')}`;
    const token = JSON.parse((await http(stack.baseUrl, 'POST', '/api/tokens', undefined, undefined, basicAuth)).text).token;
    expect((await http(stack.baseUrl, 'PUT', `/data/projects/PA/users/Members/${login}`)).status).toBe(200);
    const as = `Bearer ${token}`;
    const mine = await prearchive('PA', 'S12', 'E12', await studyZip(1));
    const unassigned = await prearchive(undefined, 'S13', 'E13', await studyZip(1));
    const other = await prearchive('PB', 'S14', 'E14', await studyZip(1));

    const listed = JSON.parse((await http(stack.baseUrl, 'GET', '/data/prearchive/projects', undefined, undefined, as)).text).ResultSet.Result.map((r: { id: string }) => r.id);
    expect(listed).toContain(mine.row.id);
    expect(listed).not.toContain(unassigned.row.id);
    expect(listed).not.toContain(other.row.id);
    expect((await http(stack.baseUrl, 'GET', unassigned.url, undefined, undefined, as)).status).toBe(403);
    expect((await http(stack.baseUrl, 'DELETE', other.url, undefined, undefined, as)).status).toBe(403);
    expect((await http(stack.baseUrl, 'POST', `/api/prearchive/${other.row.id}/commit`, undefined, undefined, as)).status).toBe(403);
    expect((await http(stack.baseUrl, 'POST', `${mine.url}?action=move&newProject=PB`, undefined, undefined, as)).status).toBe(403);
    expect((await http(stack.baseUrl, 'GET', '/api/workflows?failed=true', undefined, undefined, as)).status).toBe(403);
    expect(await statusOf(mine.row.id)).toBe('READY');
    expect(await statusOf(other.row.id)).toBe('READY');
    const committed = await http(stack.baseUrl, 'POST', `${mine.url}?action=commit`, undefined, undefined, as);
    expect(committed.status, committed.text).toBe(200);
  });
});
