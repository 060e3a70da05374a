import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { studyWorkflowId } from '../../src/client/start-study';
import { DEFAULT_TRANSFER_SYNTAXES, type ReceiverConfig } from '../../src/config/receivers';
import { openDicom } from '../../src/dicom';
import { receivedStudyKey, startReceiver, type RunningReceiver } from '../../src/scp/receiver';
import { buildDicom, buildDicomPrefix } from '../factories/dicom-builder';
import { differingTags } from '../support/dataset-compare';
import { childWorkflowIds, historyText } from '../support/history-text';
import { http } from '../support/http';
import { runScu } from '../support/storescu';
import { startTestStack, type TestStack } from '../support/test-stack';

const CANARY_NAME = 'Canaryname^Rx41Q';
const CANARY_ID = 'CANARYPID-RX-5521';
const SITE_SCRIPT = `version "6.1"
(0010,0010) := subject
(0010,0020) := session
-(0010,0030)
`;
const PROJECT_SCRIPT = `version "6.1"
(0008,0080) := "ANON INSTITUTE"
`;
// What the two scripts change, plus the (0012,0064) item they append and the de-identification markers.
const TOUCHED = new Set(['00100010', '00100020', '00100030', '00080080', '00120062', '00120063', '00080100', '00080102', '00080103', '00080104', '00080105', '00080106', '00080107']);

// Long enough that the second association (2 s later) always lands inside the idle window on a busy machine.
const IDLE_SECONDS = 6;
const AE = 'INTAKE_TEST';

const receiverConfig = (over: Partial<ReceiverConfig> = {}): ReceiverConfig => ({
  id: 'rx-test',
  enabled: true,
  aeTitle: AE,
  host: '127.0.0.1',
  port: 0,
  destination: 'archive',
  anonymizationEnabled: true,
  allowedCallingAeTitles: ['MODALITY1'],
  transferSyntaxes: [...DEFAULT_TRANSFER_SYNTAXES],
  sessionIdleSeconds: IDLE_SECONDS,
  routing: { project: [], subject: [], session: [] },
  ...over,
});

let counter = 0;
/** A study of `series` × `perSeries` files, labelled for P1 in PatientComments as XNAT's extractor reads it. */
async function writeStudy(dir: string, subject: string, session: string, series: number, perSeries: number, extra: Record<string, string | null> = {}) {
  counter++;
  const study = `2.25.${Date.now()}${counter}`;
  const bySeries: string[][] = [];
  for (let s = 1; s <= series; s++) {
    const paths: string[] = [];
    for (let i = 1; i <= perSeries; i++) {
      const data = buildDicom({
        rows: 16,
        columns: 16,
        privateBlock: true,
        elements: {
          PatientName: CANARY_NAME,
          PatientID: CANARY_ID,
          PatientBirthDate: '19440101',
          PatientComments: `Project:P1 Subject:${subject} Session:${session}`,
          StudyInstanceUID: study,
          SeriesInstanceUID: `${study}.${s}`,
          SOPInstanceUID: `${study}.${s}.${i}`,
          SeriesNumber: String(s),
          InstanceNumber: String(i),
          ...extra,
        },
      });
      const p = join(dir, `${study}-${s}-${i}.dcm`);
      await writeFile(p, data);
      paths.push(p);
    }
    bySeries.push(paths);
  }
  return { study, bySeries };
}

describe('C-STORE into the archive, through a study workflow', () => {
  let stack: TestStack;
  let rx: RunningReceiver;
  let dir: string;
  let siteScriptId: number;
  let projectScriptId: number;

  beforeAll(async () => {
    stack = await startTestStack();
    dir = await mkdtemp(join(tmpdir(), 'cstore-test-'));
    expect((await http(stack.baseUrl, 'PUT', '/data/projects/P1')).status).toBe(201);
    siteScriptId = JSON.parse((await http(stack.baseUrl, 'PUT', '/xapi/anonymize/site', SITE_SCRIPT)).text).id;
    projectScriptId = JSON.parse((await http(stack.baseUrl, 'PUT', '/data/config/edit/projects/P1/image/dicom/script', PROJECT_SCRIPT)).text).id;
    rx = await startReceiver(receiverConfig(), { repos: stack.repos, store: stack.store, client: stack.client, taskQueue: stack.taskQueue, siteAnonEnabled: true, signalIntervalMs: 200 });
  });
  afterAll(async () => {
    await rx?.close();
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const send = (files: string[], callingAe = 'MODALITY1') => runScu('storescu', { port: rx.port, callingAe, calledAe: AE, files }).done;
  const studyHandle = (study: string) => stack.client.workflow.getHandle(studyWorkflowId(receivedStudyKey('rx-test', study)));

  it('When a two-series study comes in two associations a few seconds apart, then it becomes one complete archived session, site then project pass once each, bytes unchanged outside the anonymized elements', async () => {
    const { study, bySeries } = await writeStudy(dir, 'SUBJ01', 'SESS01', 2, 3);
    const first = await send(bySeries[0]);
    expect(first.code).toBe(0);
    await new Promise((r) => setTimeout(r, 2000));
    const second = await send(bySeries[1]);
    expect(second.code).toBe(0);

    const result = await studyResult(studyHandle(study));
    expect(result).toMatchObject({ received: 6, imports: 1, importedFiles: 6, failedImports: 0 });

    const session = (await stack.repos.archive.sessionByLabel('P1', 'SESS01'))!;
    expect(session.subjectLabel).toBe('SUBJ01');
    const instances = await stack.repos.archive.instances(session.id);
    expect(instances).toHaveLength(6);
    const keys = await stack.store.list('archive/P1/SUBJ01/SESS01');
    expect(keys.filter((k) => k.includes('/scans/1/'))).toHaveLength(3);
    expect(keys.filter((k) => k.includes('/scans/2/'))).toHaveLength(3);

    const originals = bySeries.flat();
    for (const key of keys) {
      const ds = await openDicom(stack.store.path(key));
      expect(ds.getDeidentificationMethodCodes()).toEqual([String(siteScriptId), String(projectScriptId)]);
      expect(ds.getString(0x00100010)).toBe('SUBJ01');
      expect(ds.getString(0x00080080)).toBe('ANON INSTITUTE');
      const sop = ds.getString(0x00080018)!;
      const original = originals.find((p) => p.endsWith(`-${sop.split('.').slice(-2).join('-')}.dcm`))!;
      const differing = differingTags(original, stack.store.path(key)).filter((t) => !t.startsWith('0002'));
      expect(differing.filter((t) => !TOUCHED.has(t))).toEqual([]);
      expect(differing).toContain('00100010');
    }
    const upload = await stack.db('uploads').where({ method: 'cstore' }).first();
    expect(await stack.repos.passes.count({ kind: 'site', uploadId: upload.id })).toBe(6);
    expect(await stack.repos.passes.count({ kind: 'project', uploadId: upload.id })).toBe(6);
    expect(await stack.store.list('staging')).toEqual([]);
  });

  it('When files of a study arrive after its idle time, then they join the same archived session instead of making a second one', async () => {
    const { study, bySeries } = await writeStudy(dir, 'SUBJ02', 'SESS02', 2, 2);
    expect((await send(bySeries[0])).code).toBe(0);
    // Wait until the first batch has been handed to the import, then send the second series.
    await waitFor(async () => (await stack.db('received_files').whereIn('study_key', [receivedStudyKey('rx-test', study)]).whereNotNull('upload_id')).length === 2, 20_000);
    expect((await send(bySeries[1])).code).toBe(0);
    await waitFor(async () => {
      const s = await stack.repos.archive.sessionByLabel('P1', 'SESS02');
      return !!s && (await stack.repos.archive.instances(s.id)).length === 4;
    }, 40_000);
    const sessions = await stack.db('sessions').where({ label: 'SESS02' });
    expect(sessions).toHaveLength(1);
    const keys = await stack.store.list('archive/P1/SUBJ02/SESS02');
    expect(keys).toHaveLength(4);
    for (const key of keys) expect((await openDicom(stack.store.path(key))).getDeidentificationMethodCodes()).toEqual([String(siteScriptId), String(projectScriptId)]);
    await studyResult(studyHandle(study)).catch(() => undefined);
  });

  it('When the study has been archived, then its workflows carry no PHI, not even the study UID, and their histories replay; a tampered one does not', async () => {
    const { study, bySeries } = await writeStudy(dir, 'SUBJ03', 'SESS03', 1, 2);
    expect((await send(bySeries[0])).code).toBe(0);
    const handle = studyHandle(study);
    await studyResult(handle);
    const history = await handle.fetchHistory();
    const [importId] = childWorkflowIds(history);
    const importHistory = await stack.client.workflow.getHandle(importId).fetchHistory();
    const [archiveId] = childWorkflowIds(importHistory);
    const archiveHistory = await stack.client.workflow.getHandle(archiveId).fetchHistory();
    const description = await handle.describe();
    const everything = [historyText(history), historyText(importHistory), historyText(archiveHistory), handle.workflowId, importId, archiveId, JSON.stringify(description.raw)].join('\n');
    for (const canary of [CANARY_NAME, CANARY_ID, study, 'Canaryname']) expect(everything).not.toContain(canary);
    expect(everything).toContain('sealReceivedStudy');

    const bundle = stack.replayOptions; // histories are encrypted: replay needs the codec
    await Worker.runReplayHistory(bundle, history, handle.workflowId);
    await Worker.runReplayHistory(bundle, importHistory, importId);
    await Worker.runReplayHistory(bundle, archiveHistory, archiveId);
    const tampered = structuredClone(history);
    tampered.events!.find((e) => e.activityTaskScheduledEventAttributes)!.activityTaskScheduledEventAttributes!.activityType!.name = 'clearStaging';
    await expect(Worker.runReplayHistory(bundle, tampered, handle.workflowId)).rejects.toThrow(/[Nn]ondetermin/);
  });

  it('When a study run takes more signals than its limit, then it continues as new, loses no file, imports once, and both runs replay', async () => {
    const can = await startReceiver(receiverConfig({ id: 'rx-can', aeTitle: 'INTAKE_CAN', sessionIdleSeconds: 3 }), { repos: stack.repos, store: stack.store, client: stack.client, taskQueue: stack.taskQueue, siteAnonEnabled: true, signalIntervalMs: 100, maxSignalsPerRun: 2 });
    try {
      const { study, bySeries } = await writeStudy(dir, 'SUBJ06', 'SESS06', 1, 3);
      for (const file of bySeries[0]) expect((await runScu('storescu', { port: can.port, callingAe: 'MODALITY1', calledAe: 'INTAKE_CAN', files: [file] }).done).code).toBe(0);
      const handle = stack.client.workflow.getHandle(studyWorkflowId(receivedStudyKey('rx-can', study)));
      expect(await studyResult(handle)).toMatchObject({ received: 3, imports: 1, importedFiles: 3, failedImports: 0 });
      const info = (await handle.describe()).raw.workflowExecutionInfo!;
      expect(info.firstRunId).not.toBe(info.execution!.runId);
      const firstRun = await stack.client.workflow.getHandle(handle.workflowId, info.firstRunId!).fetchHistory();
      expect(firstRun.events!.some((e) => e.workflowExecutionContinuedAsNewEventAttributes)).toBe(true);
      const bundle = stack.replayOptions;
      await Worker.runReplayHistory(bundle, firstRun, handle.workflowId);
      await Worker.runReplayHistory(bundle, await handle.fetchHistory(), handle.workflowId);
      const session = (await stack.repos.archive.sessionByLabel('P1', 'SESS06'))!;
      expect(await stack.repos.archive.instances(session.id)).toHaveLength(3);
    } finally {
      await can.close();
    }
  });

  it('When a receiver has its own routing rules and anonymization off, then its rules place the study and the files are archived untouched', async () => {
    const plain = await startReceiver(
      receiverConfig({ id: 'rx-plain', aeTitle: 'INTAKE_PLAIN', anonymizationEnabled: false, sessionIdleSeconds: 2, routing: { project: ['(0008,0050):^RT-(.*)'], subject: [], session: ['(0008,0020):(.*)'] } }),
      { repos: stack.repos, store: stack.store, client: stack.client, taskQueue: stack.taskQueue, siteAnonEnabled: true, signalIntervalMs: 100 },
    );
    try {
      const { study, bySeries } = await writeStudy(dir, 'x', 'x', 1, 2, { PatientComments: null, PatientName: 'Plain^Person', AccessionNumber: 'RT-P1', StudyDate: '20240307' });
      expect((await runScu('storescu', { port: plain.port, callingAe: 'MODALITY1', calledAe: 'INTAKE_PLAIN', files: bySeries[0] }).done).code).toBe(0);
      await studyResult(stack.client.workflow.getHandle(studyWorkflowId(receivedStudyKey('rx-plain', study))));
      const keys = await stack.store.list('archive/P1/Plain_Person/20240307');
      expect(keys).toHaveLength(2);
      for (const key of keys) {
        const ds = await openDicom(stack.store.path(key));
        expect(ds.getDeidentificationMethodCodes()).toEqual([]);
        const sop = ds.getString(0x00080018)!;
        const original = bySeries[0].find((p) => p.endsWith(`-${sop.split('.').slice(-2).join('-')}.dcm`))!;
        expect(differingTags(original, stack.store.path(key)).filter((t) => !t.startsWith('0002'))).toEqual([]);
      }
      const upload = await stack.db('uploads').where({ method: 'cstore' }).orderBy('created_at', 'desc').first();
      expect(await stack.repos.passes.count({ kind: 'site', uploadId: upload.id })).toBe(0);
      expect(await stack.repos.passes.count({ kind: 'project', uploadId: upload.id })).toBe(0);
    } finally {
      await plain.close();
    }
  });

  it('When Temporal cannot be told of received files, then they stay recorded and a restarted receiver hands them over', async () => {
    const unreachable = new Client({ connection: stack.client.connection, namespace: 'no-such-namespace' });
    const deps = { repos: stack.repos, store: stack.store, taskQueue: stack.taskQueue, siteAnonEnabled: true, signalIntervalMs: 100 };
    const config = receiverConfig({ id: 'rx-recover', aeTitle: 'INTAKE_REC', sessionIdleSeconds: 2 });
    const { study, bySeries } = await writeStudy(dir, 'SUBJ07', 'SESS07', 1, 2);
    const first = await startReceiver(config, { ...deps, client: unreachable });
    expect((await runScu('storescu', { port: first.port, callingAe: 'MODALITY1', calledAe: 'INTAKE_REC', files: bySeries[0] }).done).code).toBe(0);
    await first.close();
    const key = receivedStudyKey('rx-recover', study);
    expect(await stack.db('received_files').where({ study_key: key }).whereNull('upload_id')).toHaveLength(2);
    const handle = stack.client.workflow.getHandle(studyWorkflowId(key));
    await expect(handle.describe()).rejects.toThrow();

    const second = await startReceiver(config, { ...deps, client: stack.client });
    try {
      await waitFor(async () => handle.describe().then(() => true, () => false), 10_000);
      expect(await handle.result()).toMatchObject({ received: 2, imports: 1, importedFiles: 2 });
      expect(await stack.store.list('archive/P1/SUBJ07/SESS07')).toHaveLength(2);
    } finally {
      await second.close();
    }
  });

  it('When a receiver sends to the prearchive, then its study goes to the same import path with destination prearchive', async () => {
    const pre = await startReceiver(receiverConfig({ id: 'rx-pre', aeTitle: 'INTAKE_PRE', destination: 'prearchive', sessionIdleSeconds: 1 }), { repos: stack.repos, store: stack.store, client: stack.client, taskQueue: stack.taskQueue, siteAnonEnabled: true, signalIntervalMs: 100 });
    try {
      const { study, bySeries } = await writeStudy(dir, 'SUBJ09', 'SESS09', 1, 1);
      expect((await runScu('storescu', { port: pre.port, callingAe: 'MODALITY1', calledAe: 'INTAKE_PRE', files: bySeries[0] }).done).code).toBe(0);
      const handle = stack.client.workflow.getHandle(studyWorkflowId(receivedStudyKey('rx-pre', study)));
      // The hand-over to importUpload (destination prearchive) is what this receiver owns.
      await studyResult(handle).catch(() => undefined);
      const started = (await handle.fetchHistory()).events!.map((e) => e.startChildWorkflowExecutionInitiatedEventAttributes).filter((a) => !!a);
      expect(started).toHaveLength(1);
      expect(started[0]!.workflowType!.name).toBe('importUpload');
      const [payload] = await stack.codec.decode(started[0]!.input!.payloads!);
      const input = JSON.parse(Buffer.from(payload.data!).toString());
      expect(input).toMatchObject({ destination: 'prearchive', skipSitePass: false });
      const upload = await stack.repos.uploads.get(input.uploadId);
      expect(upload).toMatchObject({ method: 'cstore', destination: 'prearchive', fileCount: 1 });
    } finally {
      await pre.close();
    }
  });

  it('When a study sent to the archive fails in its project pass, then it waits in the prearchive as ERROR with its site-pass files, and a retry archives it once the script is fixed', async () => {
    expect((await http(stack.baseUrl, 'PUT', '/data/projects/P2')).status).toBe(201);
    await http(stack.baseUrl, 'PUT', '/data/config/edit/projects/P2/image/dicom/script', `${PROJECT_SCRIPT}(0020,0013) = "2" ? (0008,0020) := shiftDateByIncrement[(0010,0010), 1]\n`);
    const { study, bySeries } = await writeStudy(dir, 'SUBJ10', 'SESS10', 1, 2, { PatientComments: 'Project:P2 Subject:SUBJ10 Session:SESS10' });
    expect((await send(bySeries[0])).code).toBe(0);
    await expect(studyResult(studyHandle(study))).rejects.toThrow();

    const [pre] = await stack.repos.prearchive.list('P2');
    expect(pre).toMatchObject({ status: 'ERROR', reason: expect.stringMatching(/^AnonymizationFailedError: .*failed on file #2 .*dicom-intake archive retry archive-grp_/) });
    expect(pre.reason).not.toContain('Canaryname');
    const kept = await stack.store.list(`prearchive/P2/${pre.timestamp}/${pre.folder}`);
    expect(kept).toHaveLength(2);
    for (const k of kept) expect((await openDicom(stack.store.path(k))).getDeidentificationMethodCodes()).toEqual([String(siteScriptId)]);
    expect(await stack.repos.archive.sessionByLabel('P2', 'SESS10')).toBeUndefined();

    const fixed = JSON.parse((await http(stack.baseUrl, 'PUT', '/data/config/edit/projects/P2/image/dicom/script', PROJECT_SCRIPT)).text).id;
    const retry = await http(stack.baseUrl, 'POST', `/api/archive/retry?workflowId=${pre.id}`);
    expect(retry.status, retry.text).toBe(200);
    const session = (await stack.repos.archive.sessionByLabel('P2', 'SESS10'))!;
    for (const i of await stack.repos.archive.instances(session.id)) {
      expect((await openDicom(stack.store.path(i.objectKey))).getDeidentificationMethodCodes()).toEqual([String(siteScriptId), String(fixed)]);
    }
    expect(await stack.repos.archive.instances(session.id)).toHaveLength(2);
  });

  it('When a calling AE title is not on the allow-list, then the association is rejected and nothing is stored', async () => {
    const { bySeries } = await writeStudy(dir, 'SUBJ04', 'SESS04', 1, 1);
    const before = await stack.db('received_files').count({ n: '*' });
    const run = await send(bySeries[0], 'EVIL');
    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(/Calling AE Title Not Recognized/i);
    expect(await stack.db('received_files').count({ n: '*' })).toEqual(before);
    expect(await stack.store.list('staging/cstore')).toEqual([]);
    const echo = await runScu('echoscu', { port: rx.port, callingAe: 'MODALITY1', calledAe: AE }).done;
    expect(echo.code).toBe(0);
  });

  it('When a sender proposes only transfer syntaxes the receiver does not accept, then nothing is stored', async () => {
    const strict = await startReceiver(receiverConfig({ id: 'rx-strict', aeTitle: 'INTAKE_STRICT', transferSyntaxes: ['1.2.840.10008.1.2.1'] }), { repos: stack.repos, store: stack.store, client: stack.client, taskQueue: stack.taskQueue, siteAnonEnabled: true });
    try {
      const { bySeries } = await writeStudy(dir, 'SUBJ08', 'SESS08', 1, 1);
      const before = await stack.db('received_files').count({ n: '*' });
      // -xi: propose Implicit VR Little Endian only.
      const refused = await runScu('storescu', { port: strict.port, callingAe: 'MODALITY1', calledAe: 'INTAKE_STRICT', files: bySeries[0], extra: ['-xi'] }).done;
      expect(refused.code).not.toBe(0);
      expect(refused.output).toMatch(/no presentation context|No Acceptable Presentation Contexts/i);
      expect(await stack.db('received_files').count({ n: '*' })).toEqual(before);
      expect(await stack.store.list('staging/cstore/rx-strict')).toEqual([]);
    } finally {
      await strict.close();
    }
  });

  it('When the sender dies in the middle of a file, then the partial file is removed and no record or workflow is made', async () => {
    const big = join(dir, 'big.dcm');
    const { prefix, pixelDataBytes } = buildDicomPrefix({ rows: 8192, columns: 8192, elements: { PatientComments: 'Project:P1 Subject:SUBJ05 Session:SESS05' } });
    await new Promise<void>((res, rej) => {
      const ws = createWriteStream(big);
      ws.on('error', rej);
      ws.write(prefix);
      const chunk = Buffer.alloc(1024 * 1024, 7);
      for (let n = 0; n < pixelDataBytes; n += chunk.length) ws.write(chunk.subarray(0, Math.min(chunk.length, pixelDataBytes - n)));
      ws.end(res);
    });
    const rows = await stack.db('received_files').count({ n: '*' });
    const scu = runScu('storescu', { port: rx.port, callingAe: 'MODALITY1', calledAe: AE, files: [big], extra: ['--max-pdu', '16384'] });
    const folder = stack.store.path('staging/cstore/rx-test');
    await waitFor(async () => (await readdir(folder).catch(() => [] as string[])).some((f) => f.endsWith('.part')), 20_000, 10);
    scu.kill();
    await scu.done;
    await waitFor(async () => (await readdir(folder).catch(() => [] as string[])).length === 0, 10_000);
    expect(await stack.db('received_files').count({ n: '*' })).toEqual(rows);
    // The receiver itself is unharmed.
    expect((await runScu('echoscu', { port: rx.port, callingAe: 'MODALITY1', calledAe: AE }).done).code).toBe(0);
    await rm(big, { force: true });
  });
});

/** The result of a study's workflow, once the receiver's signal-with-start (sent after the release) has made it. */
async function studyResult(handle: WorkflowHandle): Promise<Record<string, unknown>> {
  await waitFor(async () => handle.describe().then(() => true, () => false), 10_000, 50);
  return handle.result();
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, everyMs = 200): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
