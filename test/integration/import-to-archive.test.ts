import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDicom } from '../../src/dicom';
import { studyZip as makeStudyZip } from '../factories/study-zip';
import { childWorkflowIds, historyText } from '../support/history-text';
import { http } from '../support/http';
import { startTestStack, type TestStack } from '../support/test-stack';
import { DicomStatus } from '../../src/workflows/search-attributes';

// Canary values: unique strings that must never show up in Temporal.
const CANARY_NAME = 'Canaryname^Zq7Xw';
const CANARY_ID = 'CANARYPID-7731-QX';
const CANARY_BIRTH = '19311107';

const SITE_SCRIPT = `version "6.1"
// site: direct identifiers out, labels in
(0010,0010) := subject
(0010,0020) := session
-(0010,0030)
`;
const PROJECT_SCRIPT = `version "6.1"
(0008,1030) := project
(0010,0010) := subject
(0010,0020) := session
(0008,0080) := "ANON INSTITUTE"
`;

const CANARIES = { patientName: CANARY_NAME, patientId: CANARY_ID, birthDate: CANARY_BIRTH };
/** A synthetic study of `n` slices carrying the canaries, zipped; each call makes a new study. */
const studyZip = (n = 3, extra: { name: string; data: Buffer }[] = []) => makeStudyZip(CANARIES, n, extra);

const importPath = (project: string, subject: string, session: string) =>
  `/data/services/import?import-handler=DICOM-zip&inbody=true&dest=/archive/projects/${project}/subjects/${subject}/experiments/${session}`;

describe('import of a zip into the archive, through Temporal', () => {
  let stack: TestStack;
  let siteScriptId: number;
  let projectScriptId: number;

  beforeAll(async () => {
    stack = await startTestStack();
    expect((await http(stack.baseUrl, 'PUT', '/data/projects/P1')).status).toBe(201);
    const site = await http(stack.baseUrl, 'PUT', '/xapi/anonymize/site', SITE_SCRIPT);
    const project = await http(stack.baseUrl, 'PUT', '/data/config/edit/projects/P1/image/dicom/script', PROJECT_SCRIPT);
    expect(site.status).toBe(200);
    expect(project.status).toBe(200);
    siteScriptId = JSON.parse(site.text).id;
    projectScriptId = JSON.parse(project.text).id;
  });
  afterAll(async () => stack?.stop());

  const uploads = async () => stack.db('uploads').orderBy('created_at', 'desc');
  const archivedFiles = (subject: string, session: string) => stack.store.list(`archive/P1/${subject}/${session}`);

  it('When a zip is posted to the import service, then each archived file carries the site then the project pass, once, and staging is empty', async () => {
    const { zip, files } = await studyZip(3);
    const res = await http(stack.baseUrl, 'POST', importPath('P1', 'SUBJ01', 'SESS01'), zip, 'application/zip');
    expect(res.text).toBe('/data/archive/projects/P1/subjects/SUBJ01/experiments/SESS01\n');
    expect(res.status).toBe(200);

    const keys = await archivedFiles('SUBJ01', 'SESS01');
    expect(keys).toHaveLength(3);
    for (const key of keys) {
      const ds = await openDicom(stack.store.path(key));
      expect(ds.getDeidentificationMethodCodes()).toEqual([String(siteScriptId), String(projectScriptId)]);
      expect(ds.getString(0x00100010)).toBe('SUBJ01');
      expect(ds.getString(0x00100020)).toBe('SESS01');
      expect(ds.has(0x00100030)).toBe(false);
      expect(ds.getString(0x00081030)).toBe('P1');
      expect(ds.getString(0x00080080)).toBe('ANON INSTITUTE');
    }
    // A second, independent parser agrees on the (0012,0064) items and their order.
    const codes = execFileSync('/usr/bin/python3', ['-c', 'import sys,pydicom\nd=pydicom.dcmread(sys.argv[1])\nprint(",".join(i.CodeValue+"/"+i.CodingSchemeDesignator for i in d.DeidentificationMethodCodeSequence))', stack.store.path(keys[0])]).toString().trim();
    expect(codes).toBe(`${siteScriptId}/XNAT,${projectScriptId}/XNAT`);
    // Pixel data is untouched: every input file's last 1 KB (inside pixel data) is found in some archived file.
    const archivedBytes = await Promise.all(keys.map((k) => readFile(stack.store.path(k))));
    for (const f of files) expect(archivedBytes.some((a) => a.subarray(-1024).equals(f.subarray(-1024)))).toBe(true);

    // The catalog matches the files.
    const session = (await stack.repos.archive.sessionByLabel('P1', 'SESS01'))!;
    expect(session.subjectLabel).toBe('SUBJ01');
    const instances = await stack.repos.archive.instances(session.id);
    expect(instances.map((i) => i.objectKey).sort()).toEqual(keys);
    for (const i of instances) expect((await stack.store.digest(i.objectKey)).sha256).toBe(i.contentSha256);

    const [upload] = await uploads();
    expect(upload.status).toBe('ARCHIVED');
    expect(await stack.repos.passes.count({ kind: 'site', uploadId: upload.id })).toBe(3);
    expect(await stack.repos.passes.count({ kind: 'project', uploadId: upload.id })).toBe(3);
    expect(await stack.store.list('staging')).toEqual([]);
  });

  it('When the import has run, then its history holds no PHI, its ids and search attributes neither, and it replays; a tampered copy does not', async () => {
    const { zip } = await studyZip(2);
    const res = await http(stack.baseUrl, 'POST', importPath('P1', 'SUBJ02', 'SESS02'), zip, 'application/zip');
    expect(res.status).toBe(200);
    const [upload] = await uploads();
    const handle = stack.client.workflow.getHandle(upload.workflow_id);
    const history = await handle.fetchHistory();
    const children = childWorkflowIds(history);
    expect(children).toHaveLength(1);
    const childHistory = await stack.client.workflow.getHandle(children[0]).fetchHistory();
    const description = await handle.describe();
    const everything = [historyText(history), historyText(childHistory), upload.workflow_id, ...children, JSON.stringify(description.typedSearchAttributes), JSON.stringify(description.raw)].join('\n');
    for (const canary of [CANARY_NAME, CANARY_ID, CANARY_BIRTH, 'Canaryname']) expect(everything).not.toContain(canary);
    // The history is not empty of meaning: it does carry the upload id and the activity names.
    expect(everything).toContain(upload.id);
    expect(everything).toContain('runSitePass');
    expect(description.typedSearchAttributes.get(DicomStatus)).toBe('ARCHIVED');

    // Payloads are encrypted, so replay needs the service's data converter (test/integration/payload-encryption
    // shows that it fails without).
    const bundle = stack.replayOptions;
    await Worker.runReplayHistory(bundle, history, upload.workflow_id);
    await Worker.runReplayHistory(bundle, childHistory, children[0]);

    // Negative control: the same history with its first scheduled activity renamed must fail to replay.
    const tampered = structuredClone(history);
    const scheduled = tampered.events!.find((e) => e.activityTaskScheduledEventAttributes)!;
    scheduled.activityTaskScheduledEventAttributes!.activityType!.name = 'clearStaging';
    await expect(Worker.runReplayHistory(bundle, tampered, upload.workflow_id)).rejects.toThrow(/[Nn]ondetermin/);
  });

  it('When the same zip is posted twice, then there is one archived copy of each instance and two passes per file, not four', async () => {
    const { zip } = await studyZip(3);
    const first = await http(stack.baseUrl, 'POST', importPath('P1', 'SUBJ03', 'SESS03'), zip, 'application/zip');
    const second = await http(stack.baseUrl, 'POST', importPath('P1', 'SUBJ03', 'SESS03'), zip, 'application/zip');
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.text).toBe(first.text);
    const keys = await archivedFiles('SUBJ03', 'SESS03');
    expect(keys).toHaveLength(3);
    for (const key of keys) expect((await openDicom(stack.store.path(key))).getDeidentificationMethodCodes()).toHaveLength(2);
    const session = (await stack.repos.archive.sessionByLabel('P1', 'SESS03'))!;
    expect(await stack.repos.archive.instances(session.id)).toHaveLength(3);
    const ids = (await uploads()).slice(0, 2).map((u) => u.id);
    const passes = await stack.db('anonymization_passes').whereIn('upload_id', ids);
    expect(passes.filter((p) => p.kind === 'site')).toHaveLength(3);
    expect(passes.filter((p) => p.kind === 'project')).toHaveLength(3);
  });

  it('When activities fail after their side effects and are retried, then nothing is lost or doubled', async () => {
    for (const point of ['unpack:after-extract', 'site-pass:after-file', 'project-pass:after-file', 'commit:after-move', 'commit:after-catalog']) stack.faults.add(point);
    const { zip } = await studyZip(3);
    const res = await http(stack.baseUrl, 'POST', importPath('P1', 'SUBJ04', 'SESS04'), zip, 'application/zip');
    expect(res.status).toBe(200);
    expect(stack.fired.sort()).toEqual(['commit:after-catalog', 'commit:after-move', 'project-pass:after-file', 'site-pass:after-file', 'unpack:after-extract']);
    const keys = await archivedFiles('SUBJ04', 'SESS04');
    expect(keys).toHaveLength(3);
    for (const key of keys) {
      expect((await openDicom(stack.store.path(key))).getDeidentificationMethodCodes()).toEqual([String(siteScriptId), String(projectScriptId)]);
    }
    const [upload] = await uploads();
    expect(await stack.repos.passes.count({ kind: 'site', uploadId: upload.id })).toBe(3);
    expect(await stack.repos.passes.count({ kind: 'project', uploadId: upload.id })).toBe(3);
    const session = (await stack.repos.archive.sessionByLabel('P1', 'SESS04'))!;
    expect(await stack.repos.archive.instances(session.id)).toHaveLength(3);
    expect(await stack.store.list('staging')).toEqual([]);
  });

  it('When a zip member is corrupt, then the answer names the member without header values and nothing is archived', async () => {
    const garbage = Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), Buffer.from([0x02, 0x00, 0x10, 0x00, 0x55, 0x49, 0xff, 0x7f])]);
    const { zip } = await studyZip(2, [{ name: 'study/broken-member.dcm', data: garbage }]);
    const before = await stack.store.list('archive');
    const res = await http(stack.baseUrl, 'POST', importPath('P1', 'SUBJ05', 'SESS05'), zip, 'application/zip');
    expect(res.status).toBe(400);
    expect(res.text).toContain('broken-member.dcm');
    expect(res.text).toContain('member #3');
    for (const canary of [CANARY_NAME, CANARY_ID]) expect(res.text).not.toContain(canary);
    expect(await stack.store.list('archive')).toEqual(before);
    expect(await stack.repos.archive.sessionByLabel('P1', 'SESS05')).toBeUndefined();
    expect(await stack.store.list('staging')).toEqual([]);
    const [upload] = await uploads();
    expect(upload.status).toBe('ERROR');
    expect(upload.error_code).toBe('CorruptMemberError');
    expect(await stack.store.exists(`quarantine/${upload.id}/reason.json`)).toBe(true);
  });

  it('When a script that does not parse is saved, then it is refused with its line and column', async () => {
    const res = await http(stack.baseUrl, 'PUT', '/xapi/anonymize/site', 'version "6.1"\n(0010,0010) := \n');
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/line 2, column \d+/);
    expect((await http(stack.baseUrl, 'GET', '/xapi/anonymize/site')).text).toBe(SITE_SCRIPT);
  });

  it('When the destination project does not exist, then the upload is refused with 404 before anything is stored', async () => {
    const { zip } = await studyZip(1);
    const res = await http(stack.baseUrl, 'POST', importPath('NOPE', 'S', 'E'), zip, 'application/zip');
    expect(res.status).toBe(404);
    expect(res.text).toContain('project NOPE does not exist');
  });
});
