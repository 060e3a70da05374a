import { randomBytes } from 'node:crypto';
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipBuffers } from '../../src/storage/zip-write';
import { DicomDestination, DicomProject, DicomStatus, DicomUploadMethod } from '../../src/workflows/search-attributes';
import { buildDicom, syntheticUid } from '../factories/dicom-builder';
import { http } from '../support/http';
import { startTestStack, type TestStack } from '../support/test-stack';

const CANARY_NAME = 'Visibilitypatient^Hq2';
const CANARY_ID = 'VISPID-8812';

async function studyZip(extra: { name: string; data: Buffer }[] = []): Promise<Buffer> {
  const study = syntheticUid();
  const files = [1, 2].map((n) => buildDicom({ elements: { PatientName: CANARY_NAME, PatientID: CANARY_ID, StudyInstanceUID: study, SOPInstanceUID: `${study}.${n}`, InstanceNumber: String(n) } }));
  return zipBuffers([...files.map((data, i) => ({ name: `s/${i}.dcm`, data })), ...extra]);
}

describe('search attributes follow the upload status', () => {
  let stack: TestStack;
  // Unique per run: the dev server is shared by every test file and keeps earlier runs' workflows.
  const project = `VIS${randomBytes(4).toString('hex')}`;
  const importPath = (s: string, e: string) => `/data/services/import?import-handler=DICOM-zip&inbody=true&dest=/archive/projects/${project}/subjects/${s}/experiments/${e}`;

  beforeAll(async () => {
    stack = await startTestStack();
    expect((await http(stack.baseUrl, 'PUT', `/data/projects/${project}`)).status).toBe(201);
  });
  afterAll(async () => stack?.stop());

  /** Visibility is eventually consistent: list until `want` runs match, for at most 20 s. */
  async function listUntil(query: string, want: number): Promise<WorkflowExecutionInfo[]> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const found: WorkflowExecutionInfo[] = [];
      for await (const wf of stack.client.workflow.list({ query })) found.push(wf);
      if (found.length >= want || Date.now() > deadline) return found;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  it('When an import reaches the archive, then a query by project and ARCHIVED finds its upload and session workflows, with decoded memos', async () => {
    expect((await http(stack.baseUrl, 'POST', importPath('SUBJA', 'SESSA'), await studyZip(), 'application/zip')).status).toBe(200);
    const [upload] = await stack.db('uploads').where({ project_id: project });
    const found = await listUntil(`DicomProject = '${project}' AND DicomStatus = 'ARCHIVED'`, 2);
    expect(found.map((w) => w.type).sort()).toEqual(['archiveSession', 'importUpload']);
    const parent = found.find((w) => w.type === 'importUpload')!;
    expect(parent.workflowId).toBe(upload.workflow_id);
    expect(parent.searchAttributes).toBeDefined();
    expect(parent.typedSearchAttributes.get(DicomUploadMethod)).toBe('api');
    expect(parent.typedSearchAttributes.get(DicomDestination)).toBe('archive');
    expect(parent.typedSearchAttributes.get(DicomProject)).toBe(project);
    // Memo is stored encrypted (payload-encryption.test.ts); through the codec it reads as a description.
    expect(parent.memo?.description).toBe(`REST API upload ${upload.id} into the archive of project ${project}`);
    const child = found.find((w) => w.type === 'archiveSession')!;
    // Readable ids: what the run is for, then an opaque random id.
    expect(parent.workflowId).toMatch(/^upload-up_[0-9a-f]{11}_[0-9a-f]{12}$/);
    expect(child.workflowId).toMatch(/^archive-grp_[0-9a-f]{11}_[0-9a-f]{12}$/);
    expect(String(child.memo?.description)).toContain(upload.id);
    expect(await (await stack.client.workflow.getHandle(child.workflowId).describe()).staticSummary()).toContain(upload.id);

    // Ids and search attributes are plaintext on the server: no labels from the files, no canary.
    const visible = JSON.stringify(found.map((w) => ({ id: w.workflowId, sa: w.searchAttributes })));
    for (const s of [CANARY_NAME, CANARY_ID, 'Visibilitypatient', 'SUBJA', 'SESSA']) expect(visible).not.toContain(s);
    expect(await listUntil(`DicomProject = '${project}' AND DicomStatus = 'ARCHIVING'`, 0)).toEqual([]);
  });

  it('When an import fails, then its status attribute says ERROR and a query finds it', async () => {
    const garbage = Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), Buffer.from([0x02, 0x00, 0x10, 0x00, 0x55, 0x49, 0xff, 0x7f])]);
    expect((await http(stack.baseUrl, 'POST', importPath('SUBJB', 'SESSB'), await studyZip([{ name: 's/bad.dcm', data: garbage }]), 'application/zip')).status).toBe(400);
    const failed = await stack.db('uploads').where({ project_id: project, status: 'ERROR' });
    expect(failed).toHaveLength(1);
    const found = await listUntil(`DicomProject = '${project}' AND DicomStatus = 'ERROR'`, 1);
    expect(found.map((w) => w.workflowId)).toEqual([failed[0].workflow_id]);
    expect(found[0].status.name).toBe('FAILED');
    const description = await stack.client.workflow.getHandle(failed[0].workflow_id).describe();
    expect(description.typedSearchAttributes.get(DicomStatus)).toBe('ERROR');
  });
});
