import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionProvenance } from '../../src/api/session-provenance';
import { remapUid } from '../../src/anonymize/uid-remap';
import { openDicom } from '../../src/dicom';
import { studyZip } from '../factories/study-zip';
import { childWorkflowIds, historyText } from '../support/history-text';
import { http } from '../support/http';
import { payloadsIn } from '../support/raw-history';
import { startTestStack, type TestStack } from '../support/test-stack';

// The PS3.15 profile as a site or project setting, applied by the intake passes (docs/profile.md, "In the intake
// passes"): profile first, then the script, in one write; exactly once; the secret and the recipient stay in the
// database.

const execFileAsync = promisify(execFile);
const CLI = join(__dirname, '../../bin/dicom-intake.js');
const IDENTITY = { patientName: 'Profilecanary^Wq7Xv', patientId: 'PROFPID-3318-QX', birthDate: '19380517' };
const FILES = 3;
const KEK = `kek:0a0b:${'5e'.repeat(32)}`;
const SITE_SCRIPT = 'version "6.1"\n(0010,0010) := subject\n';
const PROJECT_SCRIPT = 'version "6.1"\n(0008,0080) := "PROFILE INSTITUTE"\n';
const SOP_INSTANCE_UID = 0x00080018;
const STUDY_INSTANCE_UID = 0x0020000d;
const SERIES_INSTANCE_UID = 0x0020000e;
const MEDIA_STORAGE_SOP_INSTANCE_UID = 0x00020003;

describe('the PS3.15 profile in the intake passes', () => {
  let stack: TestStack;
  let dir: string;

  beforeAll(async () => {
    stack = await startTestStack();
    dir = await mkdtemp(join(tmpdir(), 'profile-intake-'));
    for (const p of ['PA', 'PB', 'PC']) expect((await http(stack.baseUrl, 'PUT', `/data/projects/${p}`)).status).toBe(201);
  });
  afterAll(async () => {
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const putProfile = (path: string, body: unknown) => http(stack.baseUrl, 'PUT', path, JSON.stringify(body), 'application/json');
  const errorOf = (r: { text: string }) => String((JSON.parse(r.text) as { error?: string }).error);
  /** Imports a fresh synthetic study into the archive; returns the source files and the upload's workflow id. */
  const importStudy = async (project: string, subject: string, session: string, extraQuery = '') => {
    const { zip, files } = await studyZip(IDENTITY, FILES);
    const res = await http(stack.baseUrl, 'POST', `/data/services/import?import-handler=DICOM-zip&inbody=true&dest=/archive/projects/${project}&SUBJECT_ID=${subject}&EXPT_LABEL=${session}${extraQuery}`, zip, 'application/zip');
    const [upload] = await stack.db('uploads').orderBy('created_at', 'desc');
    return { res, files, upload: upload as { id: string; workflow_id: string } };
  };
  /** The archived files of a session, opened, ordered by Instance Number (kept by the profile). */
  const archived = async (project: string, subject: string, session: string) => {
    const keys = await stack.store.list(`archive/${project}/${subject}/${session}`);
    const opened = await Promise.all(keys.map(async (k) => ({ key: k, dicom: await openDicom(stack.store.path(k)) })));
    return opened.sort((a, b) => Number(a.dicom.getString(0x00200013)) - Number(b.dicom.getString(0x00200013)));
  };
  const sourceUids = async (files: Buffer[]) => {
    const out = [];
    for (const [i, data] of files.entries()) {
      const p = join(dir, `src-${Date.now()}-${i}.dcm`);
      await writeFile(p, data);
      const d = await openDicom(p);
      out.push({ sop: d.getString(SOP_INSTANCE_UID)!, study: d.getString(STUDY_INSTANCE_UID)!, series: d.getString(SERIES_INSTANCE_UID)! });
    }
    return out;
  };

  it('When a profile setting is invalid, then the API refuses it naming the part, and a valid one is saved canonical without its key', async () => {
    const unknown = await putProfile('/api/projects/PA/profile', { options: 'basic,retain-everything' });
    expect(unknown.status).toBe(400);
    expect(errorOf(unknown)).toContain('unknown profile option "retain-everything"');
    const rules = await putProfile('/api/projects/PA/profile', { options: 'basic,clean-pixel-data', pixelRules: '{not json' });
    expect(rules.status).toBe(400);
    expect(errorOf(rules)).toContain('pixel-cleaning rules: not JSON');
    const recipient = await putProfile('/api/projects/PA/profile', { options: 'basic', encryptTo: 'kek:zz:00' });
    expect(recipient.status).toBe(400);
    expect(errorOf(recipient)).toContain('the recipient key must be an RSA certificate (PEM) or a line "kek:KEYID_HEX:KEY_HEX"');
    expect((await putProfile('/api/projects/NOPE/profile', { options: 'basic' })).status).toBe(404);
    expect(JSON.parse((await http(stack.baseUrl, 'GET', '/api/projects/PA/profile')).text)).toMatchObject({ version: 0, options: '', encryptTo: null });

    const saved = await putProfile('/api/projects/PA/profile', { options: ' basic ', encryptTo: KEK });
    expect(saved.status, saved.text).toBe(200);
    expect(saved.text).not.toContain('5e5e');
    const got = JSON.parse((await http(stack.baseUrl, 'GET', '/api/projects/PA/profile')).text);
    expect(got).toMatchObject({ scope: 'project', project: 'PA', version: 1, options: 'basic', encryptTo: { kind: 'kek', keyId: '0a0b' } });
    // Saving the same setting again is not a new version.
    expect(JSON.parse((await putProfile('/api/projects/PA/profile', { options: 'basic', encryptTo: KEK })).text).version).toBe(1);

    // A secret-ish setting: a signed-in user who is neither project owner nor site admin may not read or change it.
    const password = 'profile-stranger-password';
    expect((await http(stack.baseUrl, 'POST', '/api/users', JSON.stringify({ login: 'pfstranger', password }), 'application/json')).status).toBe(201);
    const issued = await http(stack.baseUrl, 'POST', '/api/tokens', undefined, undefined, `Basic ${Buffer.from(`pfstranger:${password}`).toString('base64')}`);
    const stranger = `Bearer ${JSON.parse(issued.text).token}`;
    for (const path of ['/api/projects/PA/profile', '/api/profile/site']) {
      expect((await http(stack.baseUrl, 'GET', path, undefined, undefined, stranger)).status).toBe(403);
      expect((await http(stack.baseUrl, 'PUT', path, JSON.stringify({ options: '' }), 'application/json', stranger)).status).toBe(403);
    }
    expect((await stack.repos.profiles.current('project', 'PA'))!.options).toBe('basic');
  });

  it('When a profile setting is patched, then given fields replace, absent ones are kept, and a contradictory or unknown field is refused', async () => {
    const patch = (body: unknown) => http(stack.baseUrl, 'PATCH', '/api/projects/PC/profile', JSON.stringify(body), 'application/json');
    expect((await putProfile('/api/projects/PC/profile', { options: 'basic', encryptTo: KEK })).status).toBe(200);
    const kept = await patch({ options: 'basic,clean-descriptors' });
    expect(kept.status, kept.text).toBe(200);
    expect(JSON.parse(kept.text)).toMatchObject({ options: 'basic,clean-descriptors', encryptTo: { kind: 'kek', keyId: '0a0b' } });
    expect((await patch({ encryptTo: KEK, removeEncryptTo: true })).status).toBe(400);
    expect(errorOf(await patch({ option: 'basic' }))).toContain('unknown field "option"');
    const removed = await patch({ removeEncryptTo: true });
    expect(JSON.parse(removed.text)).toMatchObject({ options: 'basic,clean-descriptors', encryptTo: null });
    expect((await putProfile('/api/projects/PC/profile', { options: '' })).status).toBe(200);
  });

  it('When a project has the basic profile and no script, then its archived files carry the markers, no identity, and UIDs remapped with the project secret once, in File Meta too', async () => {
    const setting = (await stack.repos.profiles.current('project', 'PA'))!;
    const { res, files, upload } = await importStudy('PA', 'S1', 'E1');
    expect(res.status, res.text).toBe(200);
    const out = await archived('PA', 'S1', 'E1');
    expect(out).toHaveLength(FILES);
    const secret = await stack.repos.secrets.secretOf({ scope: 'project', projectId: 'PA' });
    const src = await sourceUids(files);
    for (const [i, { key, dicom }] of out.entries()) {
      expect(dicom.getDeidentificationMethodCodes()).toEqual(['113100', `P${setting.id}`]);
      expect(dicom.getString(0x00120062)).toBe('YES');
      const bytes = await readFile(stack.store.path(key));
      for (const canary of Object.values(IDENTITY)) expect(bytes.includes(Buffer.from(canary))).toBe(false);
      // Remapped exactly once with the project's own secret (a second remap would give remapUid(remapUid(x))).
      expect(dicom.getString(SOP_INSTANCE_UID)).toBe(remapUid(src[i]!.sop, secret));
      expect(dicom.getString(MEDIA_STORAGE_SOP_INSTANCE_UID)).toBe(dicom.getString(SOP_INSTANCE_UID));
      expect(dicom.getString(STUDY_INSTANCE_UID)).toBe(remapUid(src[i]!.study, secret));
      expect(dicom.getString(SERIES_INSTANCE_UID)).toBe(remapUid(src[i]!.series, secret));
      // The originals, encrypted for the project's recipient.
      expect(bytes.includes(Buffer.from([0x00, 0x04, 0x00, 0x05]))).toBe(true);
    }
    expect(new Set(out.map((o) => o.dicom.getString(STUDY_INSTANCE_UID))).size).toBe(1);
    const passes = await stack.db('anonymization_passes').where({ kind: 'project', profile_id: setting.id });
    expect(passes).toHaveLength(FILES);
    expect(passes.every((p: { script_id: number }) => p.script_id === 0)).toBe(true);
    // The session's provenance (its page) names the profile setting version the project pass applied.
    const session = (await stack.repos.archive.sessionByLabel('PA', 'E1'))!;
    for (const f of await sessionProvenance(stack.repos, session.id)) {
      expect(f.project).toMatchObject({ scriptId: 0, scriptVersion: null, profileId: setting.id, profileVersion: setting.version });
    }

    // Neither the secret nor the recipient's key travelled through Temporal: every payload of the upload's histories
    // decoded with the service's codec, plus what is stored in the clear (failures, ids).
    const history = await stack.client.workflow.getHandle(upload.workflow_id).fetchHistory();
    const histories = [history, ...(await Promise.all(childWorkflowIds(history).map((id) => stack.client.workflow.getHandle(id).fetchHistory())))];
    let text = '';
    for (const h of histories) {
      text += historyText(h);
      for (const { payload } of payloadsIn(h)) text += Buffer.from((await stack.codec.decode([payload]))[0]!.data ?? []).toString('utf8');
    }
    expect(text).toContain(upload.id);
    for (const leak of [secret, '5e'.repeat(32), ...Object.values(IDENTITY)]) expect(text).not.toContain(leak);
  });

  it('When the project pass crashes after a file and is retried, then no file gets the profile twice and each file has one live pass record', async () => {
    const setting = (await stack.repos.profiles.current('project', 'PA'))!;
    const before = await stack.repos.passes.count({ kind: 'project' });
    stack.faults.add('project-pass:after-file');
    const { res, files } = await importStudy('PA', 'S2', 'E2');
    expect(res.status, res.text).toBe(200);
    expect(stack.fired).toContain('project-pass:after-file');
    const secret = await stack.repos.secrets.secretOf({ scope: 'project', projectId: 'PA' });
    const src = await sourceUids(files);
    const out = await archived('PA', 'S2', 'E2');
    expect(out).toHaveLength(FILES);
    for (const [i, { dicom }] of out.entries()) {
      expect(dicom.getDeidentificationMethodCodes()).toEqual(['113100', `P${setting.id}`]);
      expect(dicom.getString(SOP_INSTANCE_UID)).toBe(remapUid(src[i]!.sop, secret));
    }
    expect((await stack.repos.passes.count({ kind: 'project' })) - before).toBe(FILES);
  });

  it('When a project has a profile, then the upload client refuses --anonymize-locally up front and the server refuses a client claim with 409', async () => {
    const input = join(dir, 'client-input');
    await mkdir(input, { recursive: true });
    const { files } = await studyZip(IDENTITY, 1);
    await writeFile(join(input, 'IM1.dcm'), files[0]!);
    const uploadsBefore = (await stack.db('uploads')).length;
    let refused: { code: number; stderr: string } = { code: 0, stderr: '' };
    try {
      await execFileAsync('node', [CLI, 'upload', input, '--project', 'PA', '--subject', 'C1', '--session', 'CE1', '--anonymize-locally', '--url', stack.baseUrl], { env: { ...process.env, DICOM_INTAKE_TOKEN: stack.adminToken } });
    } catch (err) {
      refused = err as { code: number; stderr: string };
    }
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('project PA de-identifies with the PS3.15 profile');
    expect(refused.stderr).toContain('upload without --anonymize-locally');
    expect((await stack.db('uploads')).length).toBe(uploadsBefore);

    const { res } = await importStudy('PA', 'C2', 'CE2', '&prevent_anon=true&SOURCE=uploader');
    expect(res.status).toBe(409);
    expect(res.text).toContain('ClientClaimRejectedError');
    expect(res.text).toContain('project PA de-identifies with the PS3.15 profile, which only the server can apply');
    expect(await stack.repos.archive.sessionByLabel('PA', 'CE2')).toBeUndefined();
  });

  it('When the site has a profile and a script and the project a script, then the order is profile then script in (0012,0064), verify is clean and the pass records name the versions', async () => {
    const site = JSON.parse((await putProfile('/api/profile/site', { options: 'basic,retain-long-modified-dates' })).text);
    expect(site).toMatchObject({ scope: 'site', version: 1, options: 'basic,retain-long-modified-dates' });
    const siteScript = JSON.parse((await http(stack.baseUrl, 'PUT', '/xapi/anonymize/site', SITE_SCRIPT)).text);
    const projectScript = JSON.parse((await http(stack.baseUrl, 'PUT', '/data/config/edit/projects/PB/image/dicom/script', PROJECT_SCRIPT)).text);
    const { res, files, upload } = await importStudy('PB', 'S1', 'E1');
    expect(res.status, res.text).toBe(200);
    const out = await archived('PB', 'S1', 'E1');
    expect(out).toHaveLength(FILES);
    for (const { dicom } of out) {
      expect(dicom.getDeidentificationMethodCodes()).toEqual(['113100', '113107', `P${site.id}`, String(siteScript.id), String(projectScript.id)]);
      expect(dicom.getString(0x00100010)).toBe('S1');
      expect(dicom.getString(0x00080080)).toBe('PROFILE INSTITUTE');
    }
    // verify (the CLI's checks) on the set: no residual source value, markers right, UIDs one-to-one.
    await mkdir(join(dir, 'orig'), { recursive: true });
    await mkdir(join(dir, 'anon'), { recursive: true });
    for (const [i, data] of files.entries()) {
      await writeFile(join(dir, 'orig', `${i + 1}.dcm`), data);
      await writeFile(join(dir, 'anon', `${i + 1}.dcm`), await readFile(stack.store.path(out[i]!.key)));
    }
    const verified = await execFileAsync('node', [CLI, 'verify', '--json', join(dir, 'orig'), join(dir, 'anon')]);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, verified: FILES, findings: [] });

    const passes = await stack.db('anonymization_passes').where({ upload_id: upload.id }).orderBy('kind');
    expect(passes.map((p: { kind: string; script_id: number; profile_id: number | null }) => [p.kind, p.script_id, p.profile_id])).toEqual([
      ...Array(FILES).fill(['project', projectScript.id, null]),
      ...Array(FILES).fill(['site', siteScript.id, site.id]),
    ]);
    // The site pass is keyed by the site's own secret, the project pass has no profile: UIDs are the site's remap.
    const siteSecret = await stack.repos.secrets.secretOf({ scope: 'site' });
    const src = await sourceUids(files);
    expect(out.map((o) => o.dicom.getString(SOP_INSTANCE_UID))).toEqual(src.map((s) => remapUid(s.sop, siteSecret)));

    await putProfile('/api/profile/site', { options: '' });
  });
  it('When a session of a project with a profile and a script is relabelled, then only the script runs again: UIDs and dates stay as the archive made them', async () => {
    await putProfile('/api/projects/PC/profile', { options: 'basic,retain-long-modified-dates' });
    const setting = (await stack.repos.profiles.current('project', 'PC'))!;
    const script = JSON.parse((await http(stack.baseUrl, 'PUT', '/data/config/edit/projects/PC/image/dicom/script', 'version "6.1"\n(0008,1030) := session\n')).text);
    expect((await importStudy('PC', 'S1', 'E1')).res.status).toBe(200);
    const before = await archived('PC', 'S1', 'E1');
    const siteScript = await stack.repos.scripts.current('site', null);
    const sitePass = siteScript?.enabled ? [String(siteScript.id)] : [];
    const res = await http(stack.baseUrl, 'POST', '/api/archive/projects/PC/sessions/E1/relabel?label=E1_NEW&wait=true');
    expect(res.status, res.text).toBe(200);
    const after = await archived('PC', 'S1', 'E1_NEW');
    expect(after).toHaveLength(FILES);
    for (const [i, { dicom }] of after.entries()) {
      // The site script (when an earlier test set one) runs first; then the project's profile and script, then the re-run script.
      expect(dicom.getDeidentificationMethodCodes()).toEqual([...sitePass, '113100', '113107', `P${setting.id}`, String(script.id), String(script.id)]);
      expect(dicom.getString(0x00081030)).toBe('E1_NEW');
      for (const tag of [SOP_INSTANCE_UID, STUDY_INSTANCE_UID, 0x00080020]) expect(dicom.getString(tag)).toBe(before[i]!.dicom.getString(tag));
    }
  });

  it('When the profile is set and read with dicom-intake scripts profile, then the CLI shows the setting without the key and refuses an unknown option', async () => {
    const cli = async (args: string[]) => {
      try {
        const { stdout, stderr } = await execFileAsync('node', [CLI, 'scripts', 'profile', ...args, '--url', stack.baseUrl], { env: { ...process.env, DICOM_INTAKE_TOKEN: stack.adminToken } });
        return { code: 0, stdout, stderr };
      } catch (err) {
        return err as { code: number; stdout: string; stderr: string };
      }
    };
    const keyFile = join(dir, 'recipient.txt');
    await writeFile(keyFile, `${KEK}\n`);
    const set = await cli(['set', '--project', 'PB', '--options', 'basic,retain-uids', '--encrypt-to', keyFile]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toBe('project PB profile: basic,retain-uids (version 1; no pixel-cleaning rules; encrypted attributes for a kek recipient)\n');
    const got = await cli(['get', '--project', 'PB', '--json']);
    expect(JSON.parse(got.stdout)).toMatchObject({ ok: true, options: 'basic,retain-uids', encryptTo: { kind: 'kek', keyId: '0a0b' } });
    expect(got.stdout).not.toContain('5e5e');
    const bad = await cli(['set', '--project', 'PB', '--options', 'basic,retain-nothing']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('refused (HTTP 400): profile setting refused: unknown profile option "retain-nothing"');
    const none = await cli(['set', '--project', 'PB', '--options', 'none']);
    expect(none.stdout).toBe('project PB profile: none (version 2; no pixel-cleaning rules; no encrypted attributes)\n');
  });
  it('When a prearchived session of a project with a profile is committed, then the profile runs then, once, and not at the prearchive', async () => {
    expect((await http(stack.baseUrl, 'PUT', '/data/projects/PD?prearchive_code=0')).status).toBe(201);
    await putProfile('/api/projects/PD/profile', { options: 'basic' });
    const setting = (await stack.repos.profiles.current('project', 'PD'))!;
    const siteScript = await stack.repos.scripts.current('site', null);
    const sitePass = siteScript?.enabled ? [String(siteScript.id)] : [];
    const { zip } = await studyZip(IDENTITY, FILES);
    const res = await http(stack.baseUrl, 'POST', '/data/services/import?import-handler=DICOM-zip&inbody=true&dest=/prearchive/projects/PD&SUBJECT_ID=S1&EXPT_LABEL=PRE1', zip, 'application/zip');
    expect(res.status, res.text).toBe(200);
    const pre = (await stack.repos.prearchive.list('PD')).find((p) => p.folder === 'PRE1')!;
    const staged = (await stack.store.list('prearchive/PD')).filter((k) => k.includes('/PRE1/') && k.endsWith('.dcm'));
    expect(staged.length).toBeGreaterThanOrEqual(FILES);
    for (const k of staged) expect((await openDicom(stack.store.path(k))).getDeidentificationMethodCodes()).toEqual(sitePass);
    const commit = await http(stack.baseUrl, 'POST', `/api/prearchive/${pre.id}/commit?wait=true`);
    expect(commit.status, commit.text).toBe(200);
    const out = await archived('PD', 'S1', 'PRE1');
    expect(out).toHaveLength(FILES);
    for (const { dicom } of out) expect(dicom.getDeidentificationMethodCodes()).toEqual([...sitePass, '113100', `P${setting.id}`]);
    expect(await stack.db('anonymization_passes').where({ kind: 'project', profile_id: setting.id })).toHaveLength(FILES);
  });
  it('When a session moves into a project whose profile its files did not get, then the move applies that profile (keyed by the new project) and records it; into a project whose profile they got, it does not', async () => {
    // The site profile (basic, retain-long-modified-dates) runs on every file: PG asks for the same, PF for the basic
    // profile without retained dates, which that application does not cover.
    expect((await putProfile('/api/profile/site', { options: 'basic,retain-long-modified-dates' })).status).toBe(200);
    for (const p of ['PE', 'PF', 'PG']) expect((await http(stack.baseUrl, 'PUT', `/data/projects/${p}`)).status).toBe(201);
    await putProfile('/api/projects/PF/profile', { options: 'basic' });
    await putProfile('/api/projects/PG/profile', { options: 'basic,retain-long-modified-dates' });
    const pf = (await stack.repos.profiles.current('project', 'PF'))!;
    for (const session of ['M1', 'M2']) expect((await importStudy('PE', 'S1', session)).res.status).toBe(200);
    const dates = (files: Awaited<ReturnType<typeof archived>>) => files.map(({ dicom }) => dicom.getString(0x00080020));
    const uids = (files: Awaited<ReturnType<typeof archived>>) => files.map(({ dicom }) => dicom.getString(SOP_INSTANCE_UID));

    const before = await archived('PE', 'S1', 'M1');
    expect(dates(before).every((d) => /^\d{8}$/.test(d ?? ''))).toBe(true); // shifted by the site profile, kept
    const moved = await http(stack.baseUrl, 'POST', '/api/archive/projects/PE/sessions/M1/move?project=PF&wait=true');
    expect(moved.status, moved.text).toBe(200);
    expect(JSON.parse(moved.text).result).toMatchObject({ projectPass: true, files: FILES });
    const after = await archived('PF', 'S1', 'M1');
    expect(after).toHaveLength(FILES);
    for (const [i, { dicom }] of after.entries()) {
      expect(dicom.getDeidentificationMethodCodes()).toEqual([...before[i]!.dicom.getDeidentificationMethodCodes(), '113100', `P${pf.id}`]);
      expect(dicom.getString(0x00280303)).toBe('REMOVED');
      expect(dicom.getString(SOP_INSTANCE_UID)).not.toBe(before[i]!.dicom.getString(SOP_INSTANCE_UID));
    }
    expect(dates(after).some((d, i) => d !== dates(before)[i])).toBe(true);
    const session = (await stack.repos.archive.sessionByLabel('PF', 'M1'))!;
    expect(await stack.db('anonymization_passes').where({ kind: 'project', session_id: session.id, profile_id: pf.id })).toHaveLength(FILES);

    const untouched = await archived('PE', 'S1', 'M2');
    const kept = await http(stack.baseUrl, 'POST', '/api/archive/projects/PE/sessions/M2/move?project=PG&wait=true');
    expect(kept.status, kept.text).toBe(200);
    expect(JSON.parse(kept.text).result).toMatchObject({ projectPass: false });
    // No re-pass: the catalog changed and the files, unchanged, keep their keys.
    const moved2 = (await stack.repos.archive.sessionByLabel('PG', 'M2'))!;
    const there = (await Promise.all((await stack.repos.archive.instances(moved2.id)).map(async (i) => ({ key: i.objectKey, dicom: await openDicom(stack.store.path(i.objectKey)) }))))
      .sort((a, b) => Number(a.dicom.getString(0x00200013)) - Number(b.dicom.getString(0x00200013)));
    expect(uids(there)).toEqual(uids(untouched));
    expect(there.map(({ dicom }) => dicom.getDeidentificationMethodCodes())).toEqual(untouched.map(({ dicom }) => dicom.getDeidentificationMethodCodes()));
    expect((await putProfile('/api/profile/site', { options: '' })).status).toBe(200);
  });
});
