import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDicom } from '../../src/dicom';
import { zipBuffers } from '../../src/storage/zip-write';
import { buildDicom, syntheticUid } from '../factories/dicom-builder';
import { http } from '../support/http';
import { startTestStack, type TestStack } from '../support/test-stack';

const execFileAsync = promisify(execFile);
const CLI = join(__dirname, '../../bin/dicom-intake.js');
const BROKEN = 'version "6.1"\n(0010,0020) := shiftDateByIncrement[(0010,0010), 1]\n';
const FIXED = 'version "6.1"\n(0008,0080) := "FIXED"\n';

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
});
