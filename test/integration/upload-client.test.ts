import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionProvenance } from '../../src/api/session-provenance';
import { openDicom } from '../../src/dicom';
import { studyZip } from '../factories/study-zip';
import { historyText } from '../support/history-text';
import { http } from '../support/http';
import { startTestStack, type TestStack } from '../support/test-stack';

// The pass-matrix row "upload client -> archive": the client runs the site and the project script on the user's
// machine; the server verifies the claim from each file's (0012,0064) items, records both passes as the client's,
// and runs neither.

const execFileAsync = promisify(execFile);
const CLI = join(__dirname, '../../bin/dicom-intake.js');
const CANARIES = { patientName: 'Clientcanary^Rq4Tz', patientId: 'CLIENTPID-5519-ZK', birthDate: '19290214' };

const SITE_SCRIPT = 'version "6.1"\n(0010,0010) := subject\n(0010,0020) := session\n-(0010,0030)\n';
const PROJECT_SCRIPT = 'version "6.6"\n(0020,0013) = "2" ? reject[]\n(0008,1030) := project\n(0008,0080) := "CLIENT ANON"\n';
const PROJECT_SCRIPT_V2 = 'version "6.1"\n(0008,1030) := project\n(0008,0080) := "CLIENT ANON V2"\n';

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

describe('upload client: anonymized on the user machine, verified on the server', () => {
  let stack: TestStack;
  let cliTmp: string;
  let siteId: number;
  let projectId: number;
  /** Authorization of a signed-in user with no role on UC1. */
  let stranger: string;

  /** Runs the real CLI, signed in with DICOM_INTAKE_TOKEN, with its temp folder where the test can watch it. */
  const cli = async (args: string[], base = stack.baseUrl): Promise<CliResult> => {
    try {
      const { stdout, stderr } = await execFileAsync('node', [CLI, 'upload', ...args, '--url', base], { env: { ...process.env, DICOM_INTAKE_TOKEN: stack.adminToken, TMPDIR: cliTmp } });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
  /** A folder holding a synthetic study of `n` slices (with the canaries) and one file that is not DICOM. */
  const studyFolder = async (n: number) => {
    const dir = await mkdtemp(join(tmpdir(), 'dicom-intake-client-input-'));
    const { files } = await studyZip(CANARIES, n);
    await mkdir(join(dir, 'series1'));
    for (const [i, data] of files.entries()) await writeFile(join(dir, 'series1', `IM${i + 1}.dcm`), data);
    await writeFile(join(dir, 'README.txt'), 'not a DICOM file\n');
    return dir;
  };
  // tsx keeps its own cache in TMPDIR; the client's work folders are dicom-intake-upload-*.
  const workFolders = async () => (await readdir(cliTmp)).filter((n) => n.startsWith('dicom-intake-upload-'));
  const uploadsNewestFirst = () => stack.db('uploads').orderBy('created_at', 'desc');

  beforeAll(async () => {
    stack = await startTestStack();
    cliTmp = await mkdtemp(join(tmpdir(), 'dicom-intake-client-tmp-'));
    expect((await http(stack.baseUrl, 'PUT', '/data/projects/UC1')).status).toBe(201);
    siteId = JSON.parse((await http(stack.baseUrl, 'PUT', '/xapi/anonymize/site', SITE_SCRIPT)).text).id;
    projectId = JSON.parse((await http(stack.baseUrl, 'PUT', '/data/config/edit/projects/UC1/image/dicom/script', PROJECT_SCRIPT)).text).id;
    const password = 'stranger-long-password';
    expect((await http(stack.baseUrl, 'POST', '/api/users', JSON.stringify({ login: 'stranger', password }), 'application/json')).status).toBe(201);
    const issued = await http(stack.baseUrl, 'POST', '/api/tokens', undefined, undefined, `Basic ${Buffer.from(`stranger:${password}`).toString('base64')}`);
    stranger = `Bearer ${JSON.parse(issued.text).token}`;
  });
  afterAll(async () => {
    await stack?.stop();
    await rm(cliTmp, { recursive: true, force: true });
  });

  it('When the client asks for the scripts in effect, then it gets both with their ids; a missing project is 400 and no sign-in 401', async () => {
    const res = await http(stack.baseUrl, 'GET', '/api/scripts/effective?project=UC1');
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text);
    expect(body.scripts.site).toMatchObject({ id: siteId, version: 1, enabled: true, text: SITE_SCRIPT });
    expect(body.scripts.project).toMatchObject({ id: projectId, version: 1, enabled: true, text: PROJECT_SCRIPT });
    expect((await http(stack.baseUrl, 'GET', '/api/scripts/effective')).status).toBe(400);
    expect((await http(stack.baseUrl, 'GET', '/api/scripts/effective?project=NOPE')).status).toBe(404);
    expect((await http(stack.baseUrl, 'GET', '/api/scripts/effective?project=UC1', undefined, undefined, null)).status).toBe(401);
    expect((await http(stack.baseUrl, 'GET', '/api/scripts/effective?project=UC1', undefined, undefined, stranger)).status).toBe(403);
  });

  it('When a folder is uploaded with --anonymize-locally, then the archive holds [site, project] once per file, the passes are the client\'s and the server ran none', async () => {
    const input = await studyFolder(3);
    const r = await cli([input, '--project', 'UC1', '--subject', 'CS1', '--session', 'CE1', '--anonymize-locally', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ok: true, status: 200, urls: ['/data/archive/projects/UC1/subjects/CS1/experiments/CE1'] });
    // Slice 2 is rejected by the project script's reject[]; README.txt is not a DICOM image.
    expect(out.anonymized).toEqual({ files: 2, rejected: 1, notDicom: 1, alreadyArchived: 0, scripts: { site: { id: siteId, version: 1 }, project: { id: projectId, version: 1 } } });

    const keys = await stack.store.list('archive/UC1/CS1/CE1');
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      const ds = await openDicom(stack.store.path(key));
      expect(ds.getDeidentificationMethodCodes()).toEqual([String(siteId), String(projectId)]);
      expect(ds.getString(0x00100010)).toBe('CS1');
      expect(ds.getString(0x00081030)).toBe('UC1');
      expect(ds.getString(0x00080080)).toBe('CLIENT ANON');
      expect(ds.getString(0x00200013)).not.toBe('2');
      const bytes = (await readFile(stack.store.path(key))).toString('latin1');
      for (const canary of Object.values(CANARIES)) expect(bytes).not.toContain(canary);
    }
    const [upload] = await uploadsNewestFirst();
    expect(upload.method).toBe('client');
    expect(upload.status).toBe('ARCHIVED');
    const passes = await stack.db('anonymization_passes').where({ upload_id: upload.id });
    expect(passes.filter((p) => p.kind === 'site').map((p) => [p.performed_by, p.script_id])).toEqual([['client', siteId], ['client', siteId]]);
    expect(passes.filter((p) => p.kind === 'project').map((p) => [p.performed_by, p.script_id])).toEqual([['client', projectId], ['client', projectId]]);
    expect(await stack.repos.passes.count({ uploadId: upload.id, performedBy: 'server' })).toBe(0);
    const audit = (await stack.repos.audit.forUpload(upload.id)).find((e) => e.action === 'upload.client-passes-verified');
    expect(audit?.detail).toMatchObject({ files: 2, site: { id: siteId, version: 1 }, project: { id: projectId, version: 1 } });
    // The catalog points each file at the client's project pass, and the work folder is gone.
    const session = (await stack.repos.archive.sessionByLabel('UC1', 'CE1'))!;
    const versions = await stack.db('file_versions').whereIn('id', (await stack.db('instances').where({ session_id: session.id })).map((i) => i.current_version_id));
    for (const v of versions) expect(passes.find((p) => p.id === v.produced_by_pass_id)?.performed_by).toBe('client');
    // The session page's provenance: one client project pass per file, then its site pass (the claimed passes are
    // recorded with their output as input, which ends the chain).
    const provenance = await sessionProvenance(stack.repos, session.id);
    expect(provenance.map((f) => [f.projectPasses, f.project?.scriptId, f.site?.scriptId])).toEqual([[1, projectId, siteId], [1, projectId, siteId]]);
    expect(await workFolders()).toEqual([]);
    expect(await stack.store.list('staging')).toEqual([]);
    await rm(input, { recursive: true, force: true });
  });

  it('When PATH is a zip, then its members are anonymized here and sent under neutral names', async () => {
    const { zip } = await studyZip(CANARIES, 2);
    const dir = await mkdtemp(join(tmpdir(), 'dicom-intake-client-zip-'));
    const zipPath = join(dir, 'Clientcanary-study.zip');
    await writeFile(zipPath, zip);
    const r = await cli([zipPath, '--project', 'UC1', '--subject', 'CS5', '--session', 'CE5', '--anonymize-locally', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, urls: ['/data/archive/projects/UC1/subjects/CS5/experiments/CE5'], anonymized: { files: 1, rejected: 1 } });
    const keys = await stack.store.list('archive/UC1/CS5/CE5');
    expect(keys).toHaveLength(1);
    expect((await openDicom(stack.store.path(keys[0]))).getDeidentificationMethodCodes()).toEqual([String(siteId), String(projectId)]);
    expect(await workFolders()).toEqual([]);
    await rm(dir, { recursive: true, force: true });
  });

  it('When the verification is retried after a crash mid-way, then every pass is recorded once and the run replays', async () => {
    stack.faults.add('client-pass:after-file');
    const input = await studyFolder(3);
    const r = await cli([input, '--project', 'UC1', '--subject', 'CS6', '--session', 'CE6', '--anonymize-locally', '--json']);
    expect(r.code).toBe(0);
    expect(stack.fired).toContain('client-pass:after-file');
    const [upload] = await uploadsNewestFirst();
    expect(await stack.repos.passes.count({ uploadId: upload.id, kind: 'site', performedBy: 'client' })).toBe(2);
    expect(await stack.repos.passes.count({ uploadId: upload.id, kind: 'project', performedBy: 'client' })).toBe(2);
    expect(await stack.repos.passes.count({ uploadId: upload.id, performedBy: 'server' })).toBe(0);
    for (const key of await stack.store.list('archive/UC1/CS6/CE6')) {
      expect((await openDicom(stack.store.path(key))).getDeidentificationMethodCodes()).toEqual([String(siteId), String(projectId)]);
    }
    const history = await stack.client.workflow.getHandle(upload.workflow_id).fetchHistory();
    await Worker.runReplayHistory(stack.replayOptions, history, upload.workflow_id);
    await rm(input, { recursive: true, force: true });
  });

  it('When the project script changes after the client read it, then the upload is refused with 409, names the file and the ids, and nothing is archived', async () => {
    const input = await studyFolder(1);
    let newProjectId = 0;
    // A proxy between client and server changes the project script just before the upload arrives: the client has
    // already read (and applied) version 1.
    const proxy: Server = createServer((req, res) => {
      const forward = async () => {
        if (req.method === 'POST' && req.url?.startsWith('/data/services/import')) {
          newProjectId = JSON.parse((await http(stack.baseUrl, 'PUT', '/data/config/edit/projects/UC1/image/dicom/script', PROJECT_SCRIPT_V2)).text).id;
        }
        const target = new URL(req.url ?? '/', stack.baseUrl);
        const upstream = request(target, { method: req.method, headers: req.headers }, (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        });
        req.pipe(upstream);
      };
      forward().catch(() => res.destroy());
    });
    proxy.listen(0, '127.0.0.1');
    await once(proxy, 'listening');
    const archiveBefore = await stack.store.list('archive');
    try {
      const r = await cli([input, '--project', 'UC1', '--subject', 'CS2', '--session', 'CE2', '--anonymize-locally'], `http://127.0.0.1:${(proxy.address() as { port: number }).port}`);
      expect(r.code).toBe(1);
      expect(newProjectId).toBeGreaterThan(projectId);
      expect(r.stderr).toContain('HTTP 409');
      expect(r.stderr).toContain('ClientClaimRejectedError');
      expect(r.stderr).toContain(`file #1 does not carry the anonymization claimed by prevent_anon=true`);
      expect(r.stderr).toContain(`must end with script ids [${siteId}, ${newProjectId}]`);
      expect(r.stderr).toContain(`found [${siteId}, ${projectId}]`);
      // The client tells which local file #1 is; the server never saw its name.
      expect(r.stderr).toContain(`(file #1 is ${join(input, 'series1', 'IM1.dcm')})`);
      for (const canary of Object.values(CANARIES)) expect(r.stderr).not.toContain(canary);
    } finally {
      proxy.close();
    }
    expect(await stack.store.list('archive')).toEqual(archiveBefore);
    expect(await stack.repos.archive.sessionByLabel('UC1', 'CE2')).toBeUndefined();
    const [upload] = await uploadsNewestFirst();
    expect(upload.status).toBe('ERROR');
    expect(upload.error_code).toBe('ClientClaimRejectedError');
    expect(await stack.repos.passes.count({ uploadId: upload.id })).toBe(0);
    expect(await workFolders()).toEqual([]);
    projectId = newProjectId;
    await rm(input, { recursive: true, force: true });
  });

  it('When files without (0012,0064) items are sent with prevent_anon=true, then the upload is refused with 409 and nothing is archived', async () => {
    const { zip } = await studyZip(CANARIES, 2);
    const archiveBefore = await stack.store.list('archive');
    const res = await http(stack.baseUrl, 'POST', '/data/services/import?import-handler=DICOM-zip&prevent_anon=true&SOURCE=uploader&dest=/archive/projects/UC1/subjects/CS3/experiments/CE3', zip, 'application/zip');
    expect(res.status).toBe(409);
    expect(res.text).toContain('ClientClaimRejectedError');
    expect(res.text).toContain('file #1 (and 1 other file) does not carry');
    expect(res.text).toContain(`must end with script ids [${siteId}, ${projectId}]`);
    expect(res.text).toContain('found []');
    for (const canary of Object.values(CANARIES)) expect(res.text).not.toContain(canary);
    expect(await stack.store.list('archive')).toEqual(archiveBefore);
    expect(await stack.repos.archive.sessionByLabel('UC1', 'CE3')).toBeUndefined();
    expect(await stack.store.list('staging')).toEqual([]);
    const [upload] = await uploadsNewestFirst();
    expect(await stack.store.exists(`quarantine/${upload.id}/reason.json`)).toBe(true);
    // The refusal travelled through Temporal as a failure message: ids only, no header values.
    const history = await stack.client.workflow.getHandle(upload.workflow_id).fetchHistory();
    const text = historyText(history);
    expect(text).toContain(upload.id);
    for (const canary of Object.values(CANARIES)) expect(text).not.toContain(canary);
  });

  it('When an upload is resumed, then files the session already holds are not sent again and the rest are added', async () => {
    const full = await studyFolder(3);
    const part = await mkdtemp(join(tmpdir(), 'dicom-intake-client-part-'));
    for (const name of ['IM1.dcm', 'IM3.dcm']) await copyFile(join(full, 'series1', name), join(part, name));
    const args = ['--project', 'UC1', '--subject', 'CS4', '--session', 'CE4', '--anonymize-locally', '--json'];

    const first = JSON.parse((await cli([part, ...args])).stdout);
    expect(first).toMatchObject({ ok: true, anonymized: { files: 2, alreadyArchived: 0 } });
    const uploadsBefore = (await uploadsNewestFirst()).length;

    const resumed = await cli([full, ...args]);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ ok: true, urls: ['/data/archive/projects/UC1/subjects/CS4/experiments/CE4'], anonymized: { files: 1, alreadyArchived: 2, notDicom: 1 } });
    expect(await stack.store.list('archive/UC1/CS4/CE4')).toHaveLength(3);
    const [upload] = await uploadsNewestFirst();
    expect(upload.file_count).toBe(1);
    expect(JSON.parse(upload.params).overwrite).toBe('append');

    // Everything is there now: a further run sends nothing and makes no upload.
    const again = await cli([full, ...args]);
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, urls: ['/data/archive/projects/UC1/subjects/CS4/experiments/CE4'], anonymized: { files: 0, alreadyArchived: 3 } });
    expect((await uploadsNewestFirst()).length).toBe(uploadsBefore + 1);
    const session = (await stack.repos.archive.sessionByLabel('UC1', 'CE4'))!;
    expect(await stack.repos.archive.instances(session.id)).toHaveLength(3);
    expect(await workFolders()).toEqual([]);
    await rm(full, { recursive: true, force: true });
    await rm(part, { recursive: true, force: true });
  });

  it('When the archived instances of a session are asked for, then only hashes and digests come back, to readers of the project', async () => {
    const res = await http(stack.baseUrl, 'GET', '/api/archive/projects/UC1/experiments/CE4/instances');
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text);
    expect(body.instances).toHaveLength(3);
    for (const i of body.instances) expect(Object.keys(i).sort()).toEqual(['sha256', 'sopUidHash']);
    expect((await http(stack.baseUrl, 'GET', '/api/archive/projects/UC1/experiments/NOPE/instances')).status).toBe(404);
    expect((await http(stack.baseUrl, 'GET', '/api/archive/projects/UC1/experiments/CE4/instances', undefined, undefined, null)).status).toBe(401);
    expect((await http(stack.baseUrl, 'GET', '/api/archive/projects/UC1/experiments/CE4/instances', undefined, undefined, stranger)).status).toBe(403);
  });
});
