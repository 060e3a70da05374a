import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { studyWorkflowId } from '../../src/client/start-study';
import { openDicom } from '../../src/dicom';
import { GRADUAL_DOOR } from '../../src/api/gradual-import';
import { receivedStudyKey } from '../../src/storage/received-file';
import { buildDicom } from '../factories/dicom-builder';
import { http } from '../support/http';
import { startTestStack, type TestStack } from '../support/test-stack';

const SITE_SCRIPT = 'version "6.1"\n(0010,0010) := subject\n(0010,0020) := session\n-(0010,0030)\n';
const CANARY = { PatientName: 'Gradualcanary^Xq7', PatientID: 'GRADUAL-PID-7731', PatientBirthDate: '19470203' };
// Long enough that four requests, with checks between them, land inside one idle window on a busy machine.
const IDLE_SECONDS = 6;

let n = 0;
/** A two-series study, two files per series, as separate DICOM files. */
function twoSeriesStudy(): { study: string; files: Buffer[] } {
  n++;
  const study = `2.25.${Date.now()}${process.pid}${n}`;
  const files: Buffer[] = [];
  for (const s of [1, 2]) {
    for (const i of [1, 2]) {
      files.push(buildDicom({ rows: 16, columns: 16, elements: { ...CANARY, StudyInstanceUID: study, SeriesInstanceUID: `${study}.${s}`, SOPInstanceUID: `${study}.${s}.${i}`, SeriesNumber: String(s), InstanceNumber: String(i) } }));
    }
  }
  return { study, files };
}

/** The same file as a multipart/form-data body with one file field, as a browser or curl -F sends it. */
function multipart(file: Buffer): { body: Buffer; type: string } {
  const boundary = `----gradual${Date.now()}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.dcm"\r\nContent-Type: application/dicom\r\n\r\n`);
  return { body: Buffer.concat([head, file, Buffer.from(`\r\n--${boundary}--\r\n`)]), type: `multipart/form-data; boundary=${boundary}` };
}

describe('import-handler=gradual-DICOM: one file per request, grouped into one session per study', () => {
  let stack: TestStack;
  let siteScript: string;

  beforeAll(async () => {
    stack = await startTestStack({ DICOM_INTAKE_SESSION_IDLE_SECONDS: String(IDLE_SECONDS) });
    expect((await http(stack.baseUrl, 'PUT', '/data/projects/GP?prearchive_code=0')).status).toBe(201);
    siteScript = String(JSON.parse((await http(stack.baseUrl, 'PUT', '/xapi/anonymize/site', SITE_SCRIPT)).text).id);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const gradual = (query: string, file: Buffer, asMultipart = false) => {
    if (asMultipart) {
      const { body, type } = multipart(file);
      return http(stack.baseUrl, 'POST', `/data/services/import?import-handler=gradual-DICOM&${query}`, body, type);
    }
    return http(stack.baseUrl, 'POST', `/data/services/import?import-handler=gradual-DICOM&inbody=true&${query}`, file, 'application/dicom');
  };
  const listed = async (project: string) => JSON.parse((await http(stack.baseUrl, 'GET', `/api/prearchive?project=${project}`)).text).sessions as { id: string; status: string; folderName: string; subject: string | null; url: string }[];

  it('When the four files of a two-series study are sent one by one, then the study is listed RECEIVING with its count growing, and after the idle time it is ONE complete READY session with the site pass only', async () => {
    const { study, files } = twoSeriesStudy();
    const query = 'dest=/prearchive/projects/GP&SUBJECT_ID=GS1&EXPT_LABEL=GSESS1';
    const urls: string[] = [];
    for (const [i, file] of files.entries()) {
      const res = await gradual(query, file, i % 2 === 1);
      expect(res.status, res.text).toBe(200);
      urls.push(res.text.trim());
      if (i === 1) {
        // Half-way: one RECEIVING row, opaque, with the files so far; it cannot be committed yet (only deleted or rebuilt).
        const rows = await listed('GP');
        expect(rows).toEqual([expect.objectContaining({ status: 'RECEIVING', subject: null, folderName: expect.stringMatching(/^receiving_[0-9a-f]{16}$/) })]);
        const details = JSON.parse((await http(stack.baseUrl, 'GET', `/api/prearchive/${rows[0].id}`)).text);
        expect(details.files).toBe(2);
        const commit = await http(stack.baseUrl, 'POST', `/api/prearchive/${rows[0].id}/commit`);
        expect(commit.status).toBe(409);
        expect(commit.text).toMatch(/still arriving \(RECEIVING\)/);
      }
    }
    // XNAT answers each file with the prearchive URL of the session it joins: the same for all four.
    expect(new Set(urls).size).toBe(1);
    expect(urls[0]).toMatch(/^\/data\/prearchive\/projects\/GP\/\d{8}_\d{9}\/receiving_[0-9a-f]{16}$/);
    const receiving = (await listed('GP'))[0];
    expect(JSON.parse((await http(stack.baseUrl, 'GET', `/api/prearchive/${receiving.id}`)).text).files).toBe(4);
    // No header value in the row, the URL, the workflow id or its search attributes before the site pass.
    const rowText = JSON.stringify(await stack.db('prearchive_sessions').select());
    for (const v of Object.values(CANARY)) expect(rowText + urls[0]).not.toContain(v);

    const key = receivedStudyKey(`${GRADUAL_DOOR}\u0000GP\u0000prearchive`, study);
    const handle = stack.client.workflow.getHandle(studyWorkflowId(key));
    expect(await handle.result()).toMatchObject({ received: 4, imports: 1, importedFiles: 4, failedImports: 0 });
    const described = await handle.describe();
    expect(described.searchAttributes.DicomUploadMethod).toEqual(['gradual']);

    const rows = await listed('GP');
    expect(rows).toEqual([expect.objectContaining({ status: 'READY', folderName: 'GSESS1', subject: 'GS1' })]);
    const keys = (await stack.store.list('prearchive/GP')).filter((k) => k.includes('/GSESS1/'));
    expect(keys).toHaveLength(4);
    const series = await Promise.all(keys.map(async (k) => (await openDicom(stack.store.path(k))).getString(0x0020000e)));
    expect(new Set(series)).toEqual(new Set([`${study}.1`, `${study}.2`]));
    for (const k of keys) expect((await openDicom(stack.store.path(k))).getDeidentificationMethodCodes()).toEqual([siteScript]);
    const upload = await stack.db('uploads').where({ method: 'gradual' }).first();
    expect(await stack.repos.passes.count({ kind: 'site', uploadId: upload.id })).toBe(4);
    expect(await stack.repos.passes.count({ kind: 'project', uploadId: upload.id })).toBe(0);
    expect(await stack.store.list('staging')).toEqual([]);
  });

  it('When a file is not DICOM or lacks its UIDs, then it is answered 400 as XNAT does, kept in quarantine with the reason, and nothing is recorded', async () => {
    const before = (await stack.db('received_files').count({ n: '*' }))[0].n;
    const garbage = await gradual('dest=/prearchive/projects/GP', Buffer.from('this is not a DICOM file at all, just text '.repeat(20)));
    expect(garbage.status).toBe(400);
    expect(JSON.parse(garbage.text).error).toMatch(/^unable to read DICOM object: reader error [A-Z_]+; the file is kept in quarantine as gr_/);
    const noUid = buildDicom({ rows: 4, columns: 4, elements: { ...CANARY, SOPInstanceUID: null } });
    const missing = await gradual('dest=/prearchive/projects/GP', noUid);
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.text).error).toMatch(/lacks its Study, Series or SOP Instance UID/);
    for (const v of Object.values(CANARY)) expect(missing.text).not.toContain(v);

    const reasons = (await stack.store.list('quarantine/gradual')).filter((k) => k.endsWith('reason.json'));
    expect(reasons).toHaveLength(2);
    const codes = reasons.map((k) => JSON.parse(readFileSync(stack.store.path(k), 'utf8')).code);
    expect(codes).toContain('MISSING_UID');
    expect((await stack.store.list('quarantine/gradual')).filter((k) => k.endsWith('received.dcm'))).toHaveLength(2);
    expect((await stack.db('received_files').count({ n: '*' }))[0].n).toBe(before);
    // Other refusals: an empty body, a client-anonymization claim, an unknown project.
    expect((await gradual('dest=/prearchive/projects/GP', Buffer.alloc(0))).status).toBe(400);
    expect((await gradual('dest=/archive/projects/GP&prevent_anon=true', noUid)).status).toBe(400);
    expect((await gradual('dest=/archive/projects/NOPE', noUid)).status).toBe(404);
  });
});
