import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { studyWorkflowId } from '../../src/client/start-study';
import { DEFAULT_TRANSFER_SYNTAXES, type ReceiverConfig } from '../../src/config/receivers';
import { openDicom } from '../../src/dicom';
import { GRADUAL_DOOR } from '../../src/api/gradual-import';
import { receivedStudyKey, startReceiver, type RunningReceiver } from '../../src/scp/receiver';
import { studyZip } from '../factories/study-zip';
import { writeCommentedCopies } from '../support/dicom-comments';
import { http } from '../support/http';
import { runScu } from '../support/storescu';
import { startTestStack, type TestStack } from '../support/test-stack';

// DESIGN.md's pass matrix, one row per test: which passes ran, in which order, on which side, exactly once.
// The upload-client row is in test/integration/upload-client.test.ts (the client is its own process) and the
// metadata-edit row in session-edits.test.ts; both assert the same things.
const SITE_SCRIPT = 'version "6.1"\n(0010,0010) := subject\n(0010,0020) := session\n-(0010,0030)\n';
const PROJECT_SCRIPT = 'version "6.1"\n(0008,0080) := "MATRIX INSTITUTE"\n';
const IDENTITY = { patientName: 'Matrix^Patient', patientId: 'MATRIX-0001', birthDate: '19500101' };
const FILES = 3;

/** Where the files of a row ended up, and the server-side pass records written while the row ran. */
interface Outcome {
  keys: string[];
  sitePasses: number;
  projectPasses: number;
}

describe("DESIGN.md's pass matrix", () => {
  let stack: TestStack;
  let site: string;
  let project: string;
  let dir: string;
  const receivers: RunningReceiver[] = [];

  beforeAll(async () => {
    // gradual-DICOM studies close after the site's idle time: short here.
    stack = await startTestStack({ DICOM_INTAKE_SESSION_IDLE_SECONDS: '2' });
    dir = await mkdtemp(join(tmpdir(), 'pass-matrix-'));
    // Code 0: prearchived sessions wait for a person, so the prearchive rows are not archived behind our back.
    expect((await http(stack.baseUrl, 'PUT', '/data/projects/PM?prearchive_code=0')).status).toBe(201);
    site = String(JSON.parse((await http(stack.baseUrl, 'PUT', '/xapi/anonymize/site', SITE_SCRIPT)).text).id);
    project = String(JSON.parse((await http(stack.baseUrl, 'PUT', '/data/config/edit/projects/PM/image/dicom/script', PROJECT_SCRIPT)).text).id);
  });
  afterAll(async () => {
    for (const r of receivers) await r.close();
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const passCounts = async () => ({ site: await stack.repos.passes.count({ kind: 'site' }), project: await stack.repos.passes.count({ kind: 'project' }) });
  /** Runs one row and returns the files it produced under `prefix` and the pass records it added. */
  const row = async (prefix: string, run: () => Promise<void>): Promise<Outcome> => {
    const before = await passCounts();
    await run();
    const after = await passCounts();
    return { keys: await stack.store.list(prefix), sitePasses: after.site - before.site, projectPasses: after.project - before.project };
  };
  const codesOf = async (keys: string[]) => Promise.all(keys.map(async (k) => (await openDicom(stack.store.path(k))).getDeidentificationMethodCodes()));
  const importTo = async (dest: string, subject: string, session: string, path = '/data/services/import') => {
    const { zip } = await studyZip(IDENTITY, FILES);
    const res = await http(stack.baseUrl, 'POST', `${path}?import-handler=DICOM-zip&inbody=true&dest=${dest}&SUBJECT_ID=${subject}&EXPT_LABEL=${session}`, zip, 'application/zip');
    expect(res.status, res.text).toBe(path === '/api/uploads' ? 202 : 200);
    if (path === '/api/uploads') {
      const { uploadId } = JSON.parse(res.text);
      await expect.poll(async () => (await stack.repos.uploads.get(uploadId))?.status, { timeout: 60_000, interval: 250 }).toBe('ARCHIVED');
    }
  };
  /** Sends a study by C-STORE (dcmtk storescu) to a receiver with the given destination and waits for its idle end. */
  const cstore = async (destination: 'archive' | 'prearchive', subject: string, session: string) => {
    const config: ReceiverConfig = {
      id: `rx-${destination}`,
      enabled: true,
      aeTitle: `MATRIX_${destination.toUpperCase().slice(0, 4)}`,
      host: '127.0.0.1',
      port: 0,
      destination,
      anonymizationEnabled: true,
      allowedCallingAeTitles: ['MODALITY1'],
      transferSyntaxes: [...DEFAULT_TRANSFER_SYNTAXES],
      sessionIdleSeconds: 2,
      routing: { project: [], subject: [], session: [] },
    };
    const rx = await startReceiver(config, { repos: stack.repos, store: stack.store, client: stack.client, taskQueue: stack.taskQueue, siteAnonEnabled: true, signalIntervalMs: 100 });
    receivers.push(rx);
    const { files } = await studyZip(IDENTITY, FILES);
    const paths: string[] = [];
    for (const [i, data] of files.entries()) {
      // Identification by XNAT's Project:/Subject:/Session: convention in Patient Comments: a modality sends no labels.
      const p = join(dir, `${destination}-${i}.dcm`);
      await writeFile(p, data);
      paths.push(p);
    }
    const labelled = await writeCommentedCopies(paths, `Project:PM Subject:${subject} Session:${session}`);
    const sent = await runScu('storescu', { port: rx.port, callingAe: 'MODALITY1', calledAe: config.aeTitle, files: labelled }).done;
    expect(sent.code, sent.output).toBe(0);
    const study = (await openDicom(labelled[0])).getString(0x0020000d)!;
    const handle = stack.client.workflow.getHandle(studyWorkflowId(receivedStudyKey(config.id, study)));
    await expect.poll(async () => handle.describe().then(() => true, () => false), { timeout: 30_000, interval: 100 }).toBe(true);
    await handle.result();
  };

  /** Sends a study file by file with import-handler=gradual-DICOM and waits for its study workflow to close. */
  const gradual = async (dest: string, subject: string, session: string) => {
    const { files } = await studyZip(IDENTITY, FILES);
    for (const file of files) {
      const res = await http(stack.baseUrl, 'POST', `/data/services/import?import-handler=gradual-DICOM&inbody=true&dest=${dest}&SUBJECT_ID=${subject}&EXPT_LABEL=${session}`, file, 'application/dicom');
      expect(res.status, res.text).toBe(200);
    }
    const destination = dest.startsWith('/archive') ? 'archive' : 'prearchive';
    const study = (await openDicomBuffer(files[0])).getString(0x0020000d)!;
    await stack.client.workflow.getHandle(studyWorkflowId(receivedStudyKey(`${GRADUAL_DOOR}\u0000PM\u0000${destination}`, study))).result();
  };
  const openDicomBuffer = async (data: Buffer) => {
    const p = join(dir, `probe-${Date.now()}.dcm`);
    await writeFile(p, data);
    return openDicom(p);
  };

  it('When a study arrives file by file through gradual-DICOM for the prearchive, then only the site pass has run, once per file', async () => {
    const o = await row('prearchive/PM', () => gradual('/prearchive/projects/PM', 'GD1', 'GPRE1'));
    const keys = o.keys.filter((k) => k.includes('/GPRE1/'));
    expect(keys).toHaveLength(FILES);
    expect(await codesOf(keys)).toEqual(Array(FILES).fill([site]));
    expect(o).toMatchObject({ sitePasses: FILES, projectPasses: 0 });
  });

  it('When a study arrives file by file through gradual-DICOM for the archive, then the site then the project pass have run, once each', async () => {
    const o = await row('archive/PM/GD2/GARC2', () => gradual('/archive/projects/PM', 'GD2', 'GARC2'));
    expect(o.keys).toHaveLength(FILES);
    expect(await codesOf(o.keys)).toEqual(Array(FILES).fill([site, project]));
    expect(o).toMatchObject({ sitePasses: FILES, projectPasses: FILES });
  });

  it('When a study arrives by C-STORE for the prearchive, then only the site pass has run, once per file, on the server', async () => {
    const o = await row('prearchive/PM', () => cstore('prearchive', 'CS1', 'CSP1'));
    const keys = o.keys.filter((k) => k.includes('/CSP1/'));
    expect(keys).toHaveLength(FILES);
    expect(await codesOf(keys)).toEqual(Array(FILES).fill([site]));
    expect(o).toMatchObject({ sitePasses: FILES, projectPasses: 0 });
  });

  it('When a study arrives by C-STORE for the archive, then the site then the project pass have run, once each', async () => {
    const o = await row('archive/PM/CS2/CSA2', () => cstore('archive', 'CS2', 'CSA2'));
    expect(o.keys).toHaveLength(FILES);
    expect(await codesOf(o.keys)).toEqual(Array(FILES).fill([site, project]));
    expect(o).toMatchObject({ sitePasses: FILES, projectPasses: FILES });
  });

  it('When a compressed upload goes to the prearchive, then only the site pass has run; the project pass waits for the commit', async () => {
    const o = await row('prearchive/PM', () => importTo('/prearchive/projects/PM', 'ZP1', 'ZPRE1'));
    const keys = o.keys.filter((k) => k.includes('/ZPRE1/'));
    expect(keys).toHaveLength(FILES);
    expect(await codesOf(keys)).toEqual(Array(FILES).fill([site]));
    expect(o).toMatchObject({ sitePasses: FILES, projectPasses: 0 });
  });

  it('When a compressed upload goes to the archive, then the site then the project pass have run, once each', async () => {
    const o = await row('archive/PM/ZA1/ZARC1', () => importTo('/archive/projects/PM', 'ZA1', 'ZARC1'));
    expect(await codesOf(o.keys)).toEqual(Array(FILES).fill([site, project]));
    expect(o).toMatchObject({ sitePasses: FILES, projectPasses: FILES });
  });

  it('When the REST API uploads to the archive, then the site then the project pass have run, once each', async () => {
    const o = await row('archive/PM/RA1/RARC1', () => importTo('/archive/projects/PM', 'RA1', 'RARC1', '/api/uploads'));
    expect(await codesOf(o.keys)).toEqual(Array(FILES).fill([site, project]));
    expect(o).toMatchObject({ sitePasses: FILES, projectPasses: FILES });
  });

  it('When a prearchived session is committed, then only the project pass runs then, once, after the site pass of the upload', async () => {
    await importTo('/prearchive/projects/PM', 'PC1', 'PCOM1');
    const pre = (await stack.repos.prearchive.list('PM')).find((p) => p.folder === 'PCOM1')!;
    const o = await row('archive/PM/PC1/PCOM1', async () => {
      const res = await http(stack.baseUrl, 'POST', `/api/prearchive/${pre.id}/commit?wait=true`);
      expect(res.status, res.text).toBe(200);
    });
    expect(await codesOf(o.keys)).toEqual(Array(FILES).fill([site, project]));
    expect(o).toMatchObject({ sitePasses: 0, projectPasses: FILES });
    // A second commit request finds nothing left to commit: no pass runs twice.
    const counted = await passCounts();
    const again = await http(stack.baseUrl, 'POST', `/api/prearchive/${pre.id}/commit?wait=true`);
    expect(again.status).toBe(404);
    expect(await passCounts()).toEqual(counted);
    expect(await codesOf(o.keys)).toEqual(Array(FILES).fill([site, project]));
  });
});
