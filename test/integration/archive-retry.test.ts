import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDicom } from '../../src/dicom';
import { importWorkflowId } from '../../src/client/start-import';
import { archiveWorkflowId } from '../../src/workflows/workflow-ids';
import { zipBuffers } from '../../src/storage/zip-write';
import { buildDicom, syntheticUid } from '../factories/dicom-builder';
import { http } from '../support/http';
import { startTestStack, type TestStack } from '../support/test-stack';

const execFileAsync = promisify(execFile);
const CLI = join(__dirname, '../../bin/dicom-intake.js');
const BROKEN = 'version "6.1"\n(0010,0020) := shiftDateByIncrement[(0010,0010), 1]\n';
const FIXED = 'version "6.1"\n(0008,0080) := "FIXED"\n';
const SITE = 'version "6.1"\n(0010,0010) := subject\n(0010,0020) := session\n';
/** Fails on the second file only (after the first one has been passed), as a script with a bad branch does. */
const BROKEN_ON_SOME = 'version "6.1"\n(0008,0080) := "BROKEN"\n(0020,0013) = "2" ? (0010,0020) := shiftDateByIncrement[(0010,0010), 1]\n';
const CANARY = 'Retrycanary^Zq7';

describe('failed archives: listed from Temporal visibility, retried once fixed', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
    await http(stack.baseUrl, 'PUT', '/data/projects/RP?prearchive_code=0');
    await http(stack.baseUrl, 'PUT', '/data/config/edit/projects/RP/image/dicom/script', BROKEN);
  });
  afterAll(async () => stack?.stop());
  // The CLI signs in with DICOM_INTAKE_TOKEN (the stack's site admin), as a script on the server would.
  const run = (cmd: string, args: string[]) =>
    execFileAsync(cmd, args, { env: { ...process.env, DICOM_INTAKE_TOKEN: stack.adminToken, DICOM_INTAKE_TEMPORAL_ADDRESS: inject('temporalAddress'), DICOM_INTAKE_CODEC_KEYS: inject('codecKeys'), DICOM_INTAKE_DATA_DIR: stack.dataDir } });

  const failedIds = async () => (JSON.parse((await http(stack.baseUrl, 'GET', '/api/workflows?failed=true')).text).workflows as { workflowId: string }[]).map((w) => w.workflowId);

  it('When a commit fails on the project script, then it is listed as failed, and after the script is fixed a retry archives it and it is no longer listed', async () => {
    const study = syntheticUid();
    const zip = await zipBuffers([1, 2].map((n) => ({ name: `${n}.dcm`, data: buildDicom({ elements: { StudyInstanceUID: study, SOPInstanceUID: `${study}.${n}` } }) })));
    const up = await http(stack.baseUrl, 'POST', '/data/services/import?import-handler=DICOM-zip&inbody=true&dest=/prearchive/projects/RP&SUBJECT_ID=RS&EXPT_LABEL=RE', zip, 'application/zip');
    expect(up.status, up.text).toBe(200);
    const pre = (await stack.repos.prearchive.list('RP'))[0];

    const commit = await http(stack.baseUrl, 'POST', `${up.text.trim()}?action=commit`);
    expect(commit.status).toBe(422);
    expect(await stack.repos.prearchive.get(pre.id)).toMatchObject({ status: 'ERROR', reason: expect.stringMatching(/^AnonymizationFailedError: project script \d+ \(v1\) failed/) });

    // Visibility is eventually consistent: wait until the failed run is listed.
    for (let i = 0; i < 50 && !(await failedIds()).includes(`prearchive-${pre.id}`); i++) await new Promise((r) => setTimeout(r, 200));
    const ls = JSON.parse((await run('node', [CLI, 'workflows', 'ls', '--failed', '--query', `WorkflowId = 'prearchive-${pre.id}'`, '--json'])).stdout);
    expect(ls).toEqual([expect.objectContaining({ workflowId: `prearchive-${pre.id}`, type: 'archiveSession', status: 'FAILED', searchAttributes: expect.objectContaining({ DicomProject: 'RP', DicomStatus: 'ERROR' }) })]);

    const fixed = JSON.parse((await http(stack.baseUrl, 'PUT', '/data/config/edit/projects/RP/image/dicom/script', FIXED)).text);
    const retry = JSON.parse((await run('node', [CLI, 'archive', 'retry', pre.id, '--json', '--url', stack.baseUrl])).stdout);
    expect(retry).toMatchObject({ ok: true, retried: 1, results: [{ workflowId: `prearchive-${pre.id}`, ok: true, url: '/data/archive/projects/RP/subjects/RS/experiments/RE' }] });

    const keys = await stack.store.list('archive/RP/RS/RE');
    expect(keys).toHaveLength(2);
    for (const k of keys) {
      const ds = await openDicom(stack.store.path(k));
      expect(ds.getString(0x00080080)).toBe('FIXED');
      expect(ds.getDeidentificationMethodCodes().at(-1)).toBe(String(fixed.id));
    }
    expect(await stack.repos.prearchive.get(pre.id)).toBeUndefined();
    expect(await failedIds()).not.toContain(`prearchive-${pre.id}`);
    const handle = stack.client.workflow.getHandle(`prearchive-${pre.id}`);
    await Worker.runReplayHistory(stack.replayOptions, await handle.fetchHistory(), handle.workflowId);
  });

  it('When a direct archive fails in the project pass on some files, then the session waits in the prearchive as ERROR, and after the fix a retry archives it with one site and one project pass per file', async () => {
    await http(stack.baseUrl, 'PUT', '/data/projects/DR?prearchive_code=0');
    const site = JSON.parse((await http(stack.baseUrl, 'PUT', '/xapi/anonymize/site', SITE)).text).id;
    const broken = JSON.parse((await http(stack.baseUrl, 'PUT', '/data/config/edit/projects/DR/image/dicom/script', BROKEN_ON_SOME)).text).id;
    const study = syntheticUid();
    const zip = await zipBuffers([1, 2, 3].map((n) => ({ name: `${n}.dcm`, data: buildDicom({ elements: { PatientName: CANARY, StudyInstanceUID: study, SOPInstanceUID: `${study}.${n}`, InstanceNumber: String(n) } }) })));
    const up = await http(stack.baseUrl, 'POST', '/data/services/import?import-handler=DICOM-zip&inbody=true&dest=/archive/projects/DR/subjects/DS/experiments/DE', zip, 'application/zip');
    expect(up.status, up.text).toBe(422);
    expect(up.text).toMatch(/kept in the prearchive as ERROR \(pre_\w+\): fix the cause, then run: dicom-intake archive retry archive-grp_\w+/);

    // ERROR in the prearchive, with a reason a person can act on and no header value; nothing in the archive.
    const [pre] = await stack.repos.prearchive.list('DR');
    expect(pre).toMatchObject({ status: 'ERROR', lockedBy: null, reason: expect.stringMatching(/^AnonymizationFailedError: project script \d+ \(v1\) failed on file #2 of upload up_\w+: .*; fix the cause, then run: dicom-intake archive retry archive-grp_/) });
    expect(pre.reason).not.toContain('Retrycanary');
    expect(await stack.repos.archive.sessionByLabel('DR', 'DE')).toBeUndefined();
    expect(await stack.store.list('archive/DR')).toEqual([]);
    expect(await stack.store.list('staging')).toEqual([]);
    // The kept files are the site pass's output; the first file's project pass was rolled back and its record discarded.
    const kept = await stack.store.list(`prearchive/DR/${pre.timestamp}/${pre.folder}`);
    expect(kept.map((k) => k.split('/').slice(-2).join('/'))).toEqual(['site/000001.dcm', 'site/000002.dcm', 'site/000003.dcm']);
    for (const k of kept) expect((await openDicom(stack.store.path(k))).getDeidentificationMethodCodes()).toEqual([String(site)]);
    const discarded = await stack.db('anonymization_passes').where({ kind: 'project', upload_id: pre.uploadId }).whereNotNull('discarded_at');
    expect(discarded).toHaveLength(1);
    expect(discarded[0].script_id).toBe(broken);

    const workflowId = archiveWorkflowId(pre.groupId!);
    for (let i = 0; i < 50 && !(await failedIds()).includes(workflowId); i++) await new Promise((r) => setTimeout(r, 200));
    const ls = JSON.parse((await run('node', [CLI, 'workflows', 'ls', '--failed', '--query', `WorkflowId = '${workflowId}'`, '--json'])).stdout);
    expect(ls).toEqual([expect.objectContaining({ workflowId, type: 'archiveSession', status: 'FAILED' })]);

    const fixed = JSON.parse((await http(stack.baseUrl, 'PUT', '/data/config/edit/projects/DR/image/dicom/script', FIXED)).text).id;
    // By the session's id, as a person finds it in the prearchive list; `workflows retry` (archive retry's new name).
    const retry = JSON.parse((await run('node', [CLI, 'workflows', 'retry', pre.id, '--json', '--url', stack.baseUrl])).stdout);
    expect(retry).toMatchObject({ ok: true, retried: 1, results: [{ workflowId, ok: true, url: '/data/archive/projects/DR/subjects/DS/experiments/DE' }] });

    // One site pass and one project pass (the fixed script) per archived file, in the header and in the records.
    const session = (await stack.repos.archive.sessionByLabel('DR', 'DE'))!;
    const instances = await stack.repos.archive.instances(session.id);
    expect(instances).toHaveLength(3);
    for (const i of instances) {
      const ds = await openDicom(stack.store.path(i.objectKey));
      expect(ds.getDeidentificationMethodCodes()).toEqual([String(site), String(fixed)]);
      expect(ds.getString(0x00080080)).toBe('FIXED');
      const projectPass = (await stack.repos.passes.byOutput('project', i.contentSha256))!;
      expect(projectPass).toMatchObject({ scriptId: fixed, workflowId, discardedAt: null });
      expect(await stack.repos.passes.byOutput('site', projectPass.inputSha256)).toMatchObject({ scriptId: site });
    }
    expect(await stack.repos.passes.count({ kind: 'site', uploadId: pre.uploadId! })).toBe(3);
    expect(await stack.repos.passes.count({ kind: 'project', uploadId: pre.uploadId! })).toBe(3);
    expect(await stack.repos.prearchive.get(pre.id)).toBeUndefined();
    expect(await stack.store.list(`prearchive/DR`)).toEqual([]);
    expect(await stack.db('audit_events').where({ action: 'archive.retried', workflow_id: workflowId })).toEqual([expect.objectContaining({ actor: 'admin', detail: JSON.stringify({ ok: true }) })]);

    // Both attempts are runs of one workflow id, visible through visibility queries; the id is no longer failed.
    const runs = async () => {
      const found: string[] = [];
      for await (const w of stack.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) found.push(w.status.name);
      return found.sort();
    };
    for (let i = 0; i < 50 && (await runs()).length < 2; i++) await new Promise((r) => setTimeout(r, 200));
    expect(await runs()).toEqual(['COMPLETED', 'FAILED']);
    expect(await failedIds()).not.toContain(workflowId);
    // The changed failure paths replay: both runs of the archive, and the upload that failed with it.
    for await (const w of stack.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
      await Worker.runReplayHistory(stack.replayOptions, await stack.client.workflow.getHandle(workflowId, w.runId).fetchHistory(), workflowId);
    }
    const uploadWorkflow = stack.client.workflow.getHandle(importWorkflowId(pre.uploadId!));
    expect((await uploadWorkflow.describe()).status.name).toBe('FAILED');
    await Worker.runReplayHistory(stack.replayOptions, await uploadWorkflow.fetchHistory(), uploadWorkflow.workflowId);
  });
});
