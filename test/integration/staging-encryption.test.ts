import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRADUAL_DOOR } from '../../src/api/gradual-import';
import { studyWorkflowId } from '../../src/client/start-study';
import { formatKeyList, newCodecKey } from '../../src/codec/keyring';
import { DEFAULT_TRANSFER_SYNTAXES } from '../../src/config/receivers';
import { receivedStudyKey, startReceiver, type RunningReceiver } from '../../src/scp/receiver';
import { SEAL_MAGIC } from '../../src/storage/sealed-file';
import { StagingCipher } from '../../src/storage/staging-cipher';
import { zipBuffers } from '../../src/storage/zip-write';
import { buildDicom, syntheticUid } from '../factories/dicom-builder';
import { http } from '../support/http';
import { runScu } from '../support/storescu';
import { startTestStack, type TestStack } from '../support/test-stack';

// Raw data at rest (issue 7 §5): with a staging key, every raw byte on disk before the site pass (C-STORE files,
// uploaded archives, extracted members, quarantine) is sealed, and the archive is byte-identical to a run without it.
const SITE_SCRIPT = `version "6.1"
(0010,0010) := "SITE^DONE"
-(0010,0020)
-(0010,0030)
`;
const PROJECT_SCRIPT = `version "6.1"
(0010,0010) := subject
(0010,0020) := session
`;
const PROJECT = 'SEAL1';
const CLI = join(__dirname, '../../bin/dicom-intake.js');
const execFileAsync = promisify(execFile);
const AE = 'INTAKE_SEAL';
const CANARY_NAME = 'Sealcanary^Qzvwxkplm';
const CANARY_ID = 'SEALCANARY-ID-88213';
const CANARIES = [CANARY_NAME, CANARY_ID, '18771109'];

/** One study of `n` files with the canaries, the same bytes for both stacks (fixed UIDs). */
function studyFiles(study: string, n: number, subject: string, session: string): { name: string; data: Buffer }[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `in/${i + 1}.dcm`,
    data: buildDicom({
      rows: 64,
      columns: 64,
      elements: {
        PatientName: CANARY_NAME,
        PatientID: CANARY_ID,
        PatientBirthDate: '18771109',
        PatientComments: `Project:${PROJECT} Subject:${subject} Session:${session}`,
        StudyInstanceUID: study,
        SeriesInstanceUID: `${study}.1`,
        SOPInstanceUID: `${study}.1.${i + 1}`,
        SeriesNumber: '1',
        InstanceNumber: String(i + 1),
      },
    }),
  }));
}

interface Side {
  stack: TestStack;
  rx: RunningReceiver;
  /** Every staging file's bytes seen at the hooks, by key. */
  seen: Map<string, Buffer>;
  /** Called at a fault point, before the stack's own fault handling. */
  onPoint?: (point: string) => Promise<void>;
}

async function startSide(env: Record<string, string>): Promise<Side> {
  const stack = await startTestStack(env);
  const side: Side = { stack, rx: undefined as unknown as RunningReceiver, seen: new Map() };
  const own = stack.activityDeps.faultPoint;
  // The activities read deps.faultPoint at each call: the hook sees staging as it is after unpacking (raw files
  // and the uploaded archive, before the site pass).
  stack.activityDeps.faultPoint = async (point) => {
    if (point === 'unpack:after-extract') await snapshot(side);
    await side.onPoint?.(point);
    return own?.(point);
  };
  expect((await http(stack.baseUrl, 'PUT', `/data/projects/${PROJECT}`)).status).toBe(201);
  expect((await http(stack.baseUrl, 'PUT', '/xapi/anonymize/site', SITE_SCRIPT)).status).toBe(200);
  expect((await http(stack.baseUrl, 'PUT', `/data/config/edit/projects/${PROJECT}/image/dicom/script`, PROJECT_SCRIPT)).status).toBe(200);
  side.rx = await startReceiver(
    {
      id: 'rx-seal', enabled: true, aeTitle: AE, host: '127.0.0.1', port: 0, destination: 'archive', anonymizationEnabled: true,
      allowedCallingAeTitles: ['MODALITY1'], transferSyntaxes: [...DEFAULT_TRANSFER_SYNTAXES], sessionIdleSeconds: 2,
      routing: { project: [], subject: [], session: [] },
    },
    { repos: stack.repos, store: stack.store, client: stack.client, taskQueue: stack.taskQueue, siteAnonEnabled: true, signalIntervalMs: 200 },
  );
  return side;
}

async function snapshot(side: Side, area = 'staging'): Promise<void> {
  for (const key of await side.stack.store.list(area)) if (!key.endsWith('.part')) side.seen.set(key, await readFile(side.stack.store.path(key)));
}

/**
 * Files that carry a canary, and raw files (not yet site-passed) that are not sealed or show the DICOM magic at
 * byte 128. Files of a failed upload that had passed the site script (`site/`, `project/`) are plaintext like the
 * prearchive: the site script ran on them.
 */
function leaks(files: Map<string, Buffer>): string[] {
  const out: string[] = [];
  for (const [key, bytes] of files) {
    for (const c of CANARIES) if (bytes.includes(Buffer.from(c))) out.push(`${key}: ${c}`);
    if (key.endsWith('reason.json') || /\/(site|project)\/\d+\.dcm$/.test(key)) continue;
    if (!bytes.subarray(0, SEAL_MAGIC.length).equals(SEAL_MAGIC)) out.push(`${key}: not sealed`);
    if (bytes.length >= 132 && bytes.toString('latin1', 128, 132) === 'DICM') out.push(`${key}: DICM at 128`);
  }
  return out;
}

/** sha256 of every archived file of the project, by key. */
async function archiveDigests(side: Side, session: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const key of await side.stack.store.list(`archive/${PROJECT}`)) {
    if (key.includes(`/${session}/`)) out[key] = createHash('sha256').update(await readFile(side.stack.store.path(key))).digest('hex');
  }
  return out;
}

async function studyResult(handle: WorkflowHandle): Promise<unknown> {
  const end = Date.now() + 30_000;
  while (!(await handle.describe().then(() => true, () => false))) {
    if (Date.now() > end) throw new Error('study workflow did not start within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return handle.result();
}

describe('raw data encrypted at rest in staging', () => {
  let plain: Side;
  let sealed: Side;
  let inputDir: string;
  const oldKey = newCodecKey();
  const key = newCodecKey();

  beforeAll(async () => {
    inputDir = await mkdtemp(join(tmpdir(), 'staging-seal-input-'));
    // gradual-DICOM studies are imported 2 s after their last file.
    plain = await startSide({ DICOM_INTAKE_SESSION_IDLE_SECONDS: '2' });
    // The keyring was rotated: files sealed under the old key must still be read (the quarantine test below).
    sealed = await startSide({ DICOM_INTAKE_STAGING_KEYS: formatKeyList([key, oldKey]), DICOM_INTAKE_SESSION_IDLE_SECONDS: '2' });
  });
  afterAll(async () => {
    for (const s of [plain, sealed]) {
      await s?.rx?.close();
      await s?.stack.stop();
    }
    if (inputDir) await rm(inputDir, { recursive: true, force: true });
  });

  const importPath = (session: string) => `/data/services/import?import-handler=DICOM-zip&inbody=true&dest=/archive/projects/${PROJECT}/subjects/SUBJ_Z/experiments/${session}`;

  it('When a zip is uploaded with and without a staging key, then the staged bytes are sealed and the archives are byte-identical', async () => {
    const files = studyFiles(syntheticUid(), 3, 'SUBJ_Z', 'SESS_ZIP');
    const zip = await zipBuffers(files);
    for (const side of [plain, sealed]) {
      const res = await http(side.stack.baseUrl, 'POST', importPath('SESS_ZIP'), zip, 'application/zip');
      expect(res.status, res.text).toBe(200);
      // Kept no longer than needed: nothing of the upload is left in staging once it is archived.
      expect(await side.stack.store.list('staging')).toEqual([]);
    }
    // The hook saw the upload and its 3 raw members in both runs; only the keyed run's are sealed.
    const rawKeys = (side: Side) => [...side.seen.keys()].filter((k) => /\/(raw\/\d+\.dcm|upload\.zip)$/.test(k));
    expect(rawKeys(sealed)).toHaveLength(4);
    expect(rawKeys(plain)).toHaveLength(4);
    expect(leaks(sealed.seen)).toEqual([]);
    // Positive control: without the key the same places hold the canaries and the DICOM magic.
    expect(leaks(plain.seen).length).toBeGreaterThan(0);
    const [a, b] = [await archiveDigests(plain, 'SESS_ZIP'), await archiveDigests(sealed, 'SESS_ZIP')];
    expect(Object.keys(a)).toHaveLength(3);
    expect(b).toEqual(a);
  });

  it('When storescu sends a study with and without a staging key, then the received files are sealed before Success and the archives are byte-identical', async () => {
    const study = syntheticUid();
    const paths: string[] = [];
    for (const f of studyFiles(study, 3, 'SUBJ_C', 'SESS_CSTORE')) {
      const p = join(inputDir, f.name.replace('/', '-'));
      await writeFile(p, f.data);
      paths.push(p);
    }
    for (const side of [plain, sealed]) {
      side.seen.clear();
      const sent = await runScu('storescu', { port: side.rx.port, callingAe: 'MODALITY1', calledAe: AE, files: paths }).done;
      expect(sent.code, sent.output).toBe(0);
      // Whatever is in staging now (received files, or already the study's raw files) was written before Success.
      await snapshot(side);
      await studyResult(side.stack.client.workflow.getHandle(studyWorkflowId(receivedStudyKey('rx-seal', study))));
      expect(await side.stack.store.list('staging')).toEqual([]);
    }
    expect(sealed.seen.size).toBeGreaterThanOrEqual(3);
    expect(leaks(sealed.seen)).toEqual([]);
    expect(leaks(plain.seen).length).toBeGreaterThan(0);
    const [a, b] = [await archiveDigests(plain, 'SESS_CSTORE'), await archiveDigests(sealed, 'SESS_CSTORE')];
    expect(Object.keys(a)).toHaveLength(3);
    expect(b).toEqual(a);
  });

  it('When gradual-DICOM files are sent one by one with and without a staging key, then each stored file is sealed and the archives are byte-identical', async () => {
    const study = syntheticUid();
    const files = studyFiles(study, 2, 'SUBJ_G', 'SESS_GRAD');
    const query = `import-handler=gradual-DICOM&inbody=true&dest=/archive/projects/${PROJECT}/subjects/SUBJ_G/experiments/SESS_GRAD`;
    for (const side of [plain, sealed]) {
      side.seen.clear();
      for (const f of files) {
        const res = await http(side.stack.baseUrl, 'POST', `/data/services/import?${query}`, f.data, 'application/dicom');
        expect(res.status, res.text).toBe(200);
        // Stored durably before the answer: what staging holds now is the raw file as kept at rest.
        await snapshot(side);
      }
      const studyKey = receivedStudyKey(`${GRADUAL_DOOR}\u0000${PROJECT}\u0000archive`, study);
      await studyResult(side.stack.client.workflow.getHandle(studyWorkflowId(studyKey)));
      expect(await side.stack.store.list('staging')).toEqual([]);
    }
    expect([...sealed.seen.keys()].filter((k) => k.includes('/gradual/')).length).toBeGreaterThanOrEqual(2);
    expect(leaks(sealed.seen)).toEqual([]);
    expect(leaks(plain.seen).length).toBeGreaterThan(0);
    const [a, b] = [await archiveDigests(plain, 'SESS_GRAD'), await archiveDigests(sealed, 'SESS_GRAD')];
    expect(Object.keys(a)).toHaveLength(2);
    expect(b).toEqual(a);
  });

  it('When an upload goes to the prearchive with a staging key, then no raw byte is left in staging after the site pass and the prearchive holds the same site-passed files as without a key', async () => {
    const zip = await zipBuffers(studyFiles(syntheticUid(), 2, 'SUBJ_P', 'SESS_PRE'));
    const digests: Record<string, string>[] = [];
    for (const side of [plain, sealed]) {
      // Prearchive code 0: sessions wait in the prearchive for a person.
      expect((await http(side.stack.baseUrl, 'PUT', '/data/projects/SEALPRE?prearchive_code=0')).status).toBe(201);
      const res = await http(side.stack.baseUrl, 'POST', '/data/services/import?import-handler=DICOM-zip&inbody=true&dest=/prearchive/projects/SEALPRE&SUBJECT_ID=SUBJ_P&EXPT_LABEL=SESS_PRE', zip, 'application/zip');
      expect(res.status, res.text).toBe(200);
      expect(await side.stack.store.list('staging')).toEqual([]);
      const files = new Map<string, Buffer>();
      for (const k of await side.stack.store.list('prearchive')) if (k.endsWith('.dcm')) files.set(k, await readFile(side.stack.store.path(k)));
      expect(files.size).toBe(2);
      // Site-passed: plaintext DICOM (the prearchive is reviewed by people), and no canary left by the site script.
      for (const [k, bytes] of files) {
        expect(bytes.toString('latin1', 128, 132), k).toBe('DICM');
        for (const c of CANARIES) expect(bytes.includes(Buffer.from(c)), `${k}: ${c}`).toBe(false);
      }
      digests.push(Object.fromEntries([...files].map(([k, b]) => [k.split('/').slice(-1)[0], createHash('sha256').update(b).digest('hex')])));
    }
    expect(digests[1]).toEqual(digests[0]);
  });

  it('When the upload client sends files it anonymized (prevent_anon) to a server with a staging key, then the sealed upload is verified, unsealed and archived as without a key', async () => {
    const folder = await mkdtemp(join(inputDir, 'client-'));
    for (const f of studyFiles(syntheticUid(), 2, 'SUBJ_UC', 'SESS_UC')) {
      await mkdir(join(folder, 'in'), { recursive: true });
      await writeFile(join(folder, f.name), f.data);
    }
    for (const side of [plain, sealed]) {
      const { stdout } = await execFileAsync('node', [CLI, 'upload', folder, '--project', PROJECT, '--subject', 'SUBJ_UC', '--session', 'SESS_UC', '--anonymize-locally', '--json', '--url', side.stack.baseUrl], {
        env: { ...process.env, DICOM_INTAKE_TOKEN: side.stack.adminToken },
      });
      expect(JSON.parse(stdout)).toMatchObject({ ok: true, anonymized: { files: 2 } });
      expect(await side.stack.store.list('staging')).toEqual([]);
    }
    // The hook saw the client's upload sealed in the keyed run.
    expect(leaks(sealed.seen)).toEqual([]);
    const [a, b] = [await archiveDigests(plain, 'SESS_UC'), await archiveDigests(sealed, 'SESS_UC')];
    expect(Object.keys(a)).toHaveLength(2);
    expect(b).toEqual(a);
  });

  it('When raw files were sealed under the previous staging key, then after the rotation they are still read and archived as without a key', async () => {
    // The hook re-seals the upload's raw files with the old key, as if they had been received before the rotation.
    const previous = new StagingCipher([oldKey]);
    sealed.onPoint = async (point) => {
      if (point !== 'unpack:after-extract') return;
      for (const k of (await sealed.stack.store.list('staging')).filter((x) => /\/raw\/\d+\.dcm$/.test(x))) {
        const path = sealed.stack.store.path(k);
        const plainBytes: Buffer[] = [];
        for await (const c of sealed.stack.store.staged.readStream(path)) plainBytes.push(c as Buffer);
        await pipeline(Readable.from([Buffer.concat(plainBytes)]), previous.sealStream(), createWriteStream(`${path}.old`));
        await rename(`${path}.old`, path);
        expect((await readFile(path)).includes(Buffer.from(oldKey.id))).toBe(true);
      }
    };
    const zip = await zipBuffers(studyFiles(syntheticUid(), 2, 'SUBJ_Z', 'SESS_ROTATED'));
    try {
      for (const side of [plain, sealed]) expect((await http(side.stack.baseUrl, 'POST', importPath('SESS_ROTATED'), zip, 'application/zip')).status).toBe(200);
    } finally {
      sealed.onPoint = undefined;
    }
    const [a, b] = [await archiveDigests(plain, 'SESS_ROTATED'), await archiveDigests(sealed, 'SESS_ROTATED')];
    expect(Object.keys(a)).toHaveLength(2);
    expect(b).toEqual(a);
  });

  it('When a sealed raw file is altered or cut short before the site pass, then the upload is quarantined with that reason and nothing is archived', async () => {
    for (const [session, damage] of [
      ['SESS_FLIP', async (path: string) => {
        const bytes = await readFile(path);
        bytes[bytes.length >> 1] ^= 0x20;
        await writeFile(path, bytes);
      }],
      ['SESS_CUT', async (path: string) => truncate(path, (await readFile(path)).length - 100)],
    ] as const) {
      sealed.onPoint = async (point) => {
        if (point !== 'unpack:after-extract') return;
        const [first] = (await sealed.stack.store.list('staging')).filter((k) => k.endsWith('/raw/000002.dcm'));
        await damage(sealed.stack.store.path(first!));
      };
      const res = await http(sealed.stack.baseUrl, 'POST', importPath(session), await zipBuffers(studyFiles(syntheticUid(), 3, 'SUBJ_Z', session)), 'application/zip');
      sealed.onPoint = undefined;
      expect(res.text).toMatch(/^StagedFileDamagedError: staged file 000002\.dcm does not authenticate|^StagedFileDamagedError: staged file 000002\.dcm is cut short/);
      expect(res.status).toBe(500);
      for (const c of CANARIES) expect(res.text).not.toContain(c);
      expect(await sealed.stack.store.list(`archive/${PROJECT}/SUBJ_Z/${session}`)).toEqual([]);
      const upload = await sealed.stack.db('uploads').where({ status: 'ERROR', error_code: 'StagedFileDamagedError' });
      expect(upload.length).toBeGreaterThan(0);
    }
    const reasons = (await sealed.stack.store.list('quarantine')).filter((k) => k.endsWith('reason.json'));
    const parsed = await Promise.all(reasons.map(async (k) => JSON.parse(await readFile(sealed.stack.store.path(k), 'utf8')) as { errorType: string }));
    expect(parsed.filter((r) => r.errorType === 'StagedFileDamagedError')).toHaveLength(2);
  });

  it('When uploads fail with a staging key, then their quarantined raw bytes stay sealed and can still be inspected', async () => {
    // A member that is not DICOM: the upload is quarantined and the uploader is told the member's name, which the
    // API reads from the quarantined (sealed) upload.
    const files = [...studyFiles(syntheticUid(), 2, 'SUBJ_Z', 'SESS_BAD'), { name: 'odd/notdicom.bin', data: Buffer.from('not DICOM '.repeat(50)) }];
    const res = await http(sealed.stack.baseUrl, 'POST', importPath('SESS_BAD'), await zipBuffers(files), 'application/zip');
    expect(res.status).toBe(400);
    expect(res.text).toContain('odd/notdicom.bin');
    // A C-STORE object without its Study Instance UID is refused and quarantined by the receiver.
    const noUid = buildDicom({ rows: 8, columns: 8, elements: { PatientName: CANARY_NAME, PatientID: CANARY_ID, StudyInstanceUID: null, SeriesInstanceUID: syntheticUid(), SOPInstanceUID: syntheticUid() } });
    const p = join(inputDir, 'no-uid.dcm');
    await writeFile(p, noUid);
    await runScu('storescu', { port: sealed.rx.port, callingAe: 'MODALITY1', calledAe: AE, files: [p] }).done;
    const quarantined = new Map<string, Buffer>();
    for (const k of await sealed.stack.store.list('quarantine')) quarantined.set(k, await readFile(sealed.stack.store.path(k)));
    expect([...quarantined.keys()].some((k) => k.endsWith('/upload.zip'))).toBe(true);
    expect([...quarantined.keys()].some((k) => /^quarantine\/cstore\/rx-seal\/[^/]+\/received\.dcm$/.test(k))).toBe(true);
    expect(leaks(quarantined)).toEqual([]);
    // Raw bytes of every failed upload are there, sealed: the uploads and the raw members left by the damaged ones.
    expect([...quarantined.keys()].filter((k) => /\/(upload\.zip|raw\/\d+\.dcm|received\.dcm)$/.test(k)).length).toBeGreaterThanOrEqual(6);
  });
});
