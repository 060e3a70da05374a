import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipBuffers } from '../../src/storage/zip-write';
import { buildDicom, syntheticUid } from '../factories/dicom-builder';
import { startTestStack, type TestStack } from '../support/test-stack';

const CANARY_NAME = 'Logpatient^Zz9';
const CANARY_ID = 'LOGPID-4471';

describe('structured logs of the API and the worker', () => {
  let stack: TestStack;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    // This file's stack is the first in its process, so the Temporal runtime logs through this capture too.
    stack = await startTestStack({ DICOM_INTAKE_LOG_LEVEL: 'info' }, { logDestination: { write: (s: string) => void lines.push(JSON.parse(s)) } });
  });
  afterAll(async () => stack?.stop());

  it('When requests and an import run, then every API line has a request id, activity lines name their workflow and activity, and no canary is logged', async () => {
    expect((await fetch(`${stack.baseUrl}/data/projects/LOG1`, { method: 'PUT', headers: { authorization: `Bearer ${stack.adminToken}` } })).status).toBe(201);
    const study = syntheticUid();
    const zip = await zipBuffers([1, 2].map((n) => ({ name: `${n}.dcm`, data: buildDicom({ elements: { PatientName: CANARY_NAME, PatientID: CANARY_ID, StudyInstanceUID: study, SOPInstanceUID: `${study}.${n}` } }) })));
    const res = await fetch(`${stack.baseUrl}/data/services/import?import-handler=DICOM-zip&inbody=true&dest=/archive/projects/LOG1/subjects/S/experiments/E`, {
      method: 'POST',
      body: zip,
      headers: { 'content-type': 'application/zip', 'x-request-id': 'req-from-proxy-1', authorization: `Bearer ${stack.adminToken}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('req-from-proxy-1');
    const other = await fetch(`${stack.baseUrl}/health`);
    const generated = other.headers.get('x-request-id');
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);

    const api = lines.filter((l) => l.name === 'api');
    expect(api.length).toBeGreaterThanOrEqual(3);
    for (const l of api) expect(typeof l.reqId).toBe('string');
    expect(api.find((l) => l.reqId === 'req-from-proxy-1')).toMatchObject({ msg: 'request', method: 'POST', status: 200 });
    expect(api.find((l) => l.reqId === generated)).toMatchObject({ path: '/health', status: 200 });

    const [upload] = await stack.db('uploads').where({ project_id: 'LOG1' });
    const completed = () => lines.filter((l) => l.msg === 'activity completed' && l.workflowId === upload.workflow_id);
    // The worker logs an activity's completion on its own schedule: the HTTP answer (the workflow's end) may come
    // first on a busy machine, so wait for the lines.
    await expect.poll(() => completed().map((l) => l.activityType), { timeout: 15_000 }).toEqual(expect.arrayContaining(['unpackUpload', 'runSitePass', 'identifySessions']));
    const activities = completed();
    for (const l of activities) expect(l).toMatchObject({ component: 'temporal', workflowType: 'importUpload', activityId: expect.any(String), durationMs: expect.any(Number) });

    const text = JSON.stringify(lines);
    for (const leak of [CANARY_NAME, CANARY_ID, 'Logpatient', stack.adminToken]) expect(text).not.toContain(leak);
  });
});
