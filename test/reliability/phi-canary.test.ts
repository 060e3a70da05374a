import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { watch } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { WorkflowHandle } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { studyWorkflowId } from '../../src/client/start-study';
import { formatKeyList, newCodecKey } from '../../src/codec/keyring';
import { DEFAULT_TRANSFER_SYNTAXES } from '../../src/config/receivers';
import { openDicom } from '../../src/dicom';
import { receivedStudyKey, startReceiver, type RunningReceiver } from '../../src/scp/receiver';
import { zipBuffers } from '../../src/storage/zip-write';
import { buildDicom, syntheticUid } from '../factories/dicom-builder';
import { withDatasetElement, withMetaElement } from '../factories/raw-element';
import { tgzBuffers } from '../factories/tar-builder';
import { childWorkflowIds, historyText } from '../support/history-text';
import { http } from '../support/http';
import { dumpSqlite, PhiSearch, searchTree, walk, type Canary } from '../support/phi-search';
import { payloadsIn, rawService } from '../support/raw-history';
import { runScu } from '../support/storescu';
import { startTestStack, type TestStack } from '../support/test-stack';

// The site script removes every canary place: names are overwritten everywhere, ids and the UN-encoded Other
// Patient Names deleted everywhere, private blocks (creators included) removed at every depth, the birth date and
// the File Meta's Source Application Entity Title deleted. Nothing is kept on purpose, so every search expects 0.
const SITE_SCRIPT = `version "6.6"
removeAllPrivateTags
*/(0010,0010) ?= "SITE^REMOVED"
-*/(0010,0020)
-*/(0010,1001)
-(0010,0030)
-(0002,0016)
`;
// The project pass writes the labels back (so the archive has names and ids, but only labels).
const PROJECT_SCRIPT = `version "6.1"
(0010,0010) := subject
(0010,0020) := session
(0008,1030) := project
`;

const PROJECT = 'PHI1';
const AE = 'INTAKE_PHI';
const FILES_PER_DOOR = 2;
// 'headers' is a zip whose destination names the project only, so subject and session come from the headers
// (XNAT's identification, §7 leak 1 of the reference): they must come from the headers after the site pass.
// 'multipart' is a tar.gz sent as a multipart/form-data file field whose filename also carries a canary.
// 'client' is `dicom-intake upload --anonymize-locally` over a folder whose sub-folder is named with a canary: the
// scripts run on the user's machine and only anonymized files under neutral names are sent.
type Door = 'zip' | 'headers' | 'tgz' | 'multipart' | 'api' | 'cstore' | 'prearchive' | 'client';
const DOORS: readonly Door[] = ['zip', 'headers', 'tgz', 'multipart', 'api', 'cstore', 'prearchive', 'client'];
const CLI = join(__dirname, '../../bin/dicom-intake.js');
const execFileAsync = promisify(execFile);

/** 10 random capital letters: the distinctive core of a canary. */
const core = () => Array.from(randomBytes(10), (b) => String.fromCharCode(65 + (b % 26))).join('');
/** A random, valid date in 1850-1899 (no year after would ever come from a test clock). */
const oldDate = () => `18${String(50 + (randomBytes(1)[0] % 50))}${String(1 + (randomBytes(1)[0] % 12)).padStart(2, '0')}${String(1 + (randomBytes(1)[0] % 28)).padStart(2, '0')}`;

// Failures: a zip with a member that is not DICOM, and a site script that fails on the file (it writes the
// PatientName into a UID element, which the editor refuses), through the import service and through C-STORE.
type FailDoor = 'badmember' | 'badscript' | 'badcstore';
const FAILING_SITE_SCRIPT = `version "6.1"
(0008,0018) := (0010,0010)
`;

/** The canaries of one front door, by place. C-STORE carries no File Meta and no file names, so it has neither. */
function doorCanaries(door: Door | FailDoor) {
  const c = () => core();
  const k = {
    nameTop: c(), idTop: c(), nameRef: c(), idRef: c(), idOther: c(), nameDeep: c(), idDeep: c(),
    creator: c(), privateTop: c(), privateNested: c(), unTop: c(), metaAe: c(), member: c(),
  };
  const birth = oldDate();
  const list: Canary[] = [
    { place: `${door}: (0010,0010) PatientName`, value: `Pn${k.nameTop}^Given`, core: k.nameTop },
    { place: `${door}: (0010,0020) PatientID`, value: `ID-${k.idTop}`, core: k.idTop },
    { place: `${door}: (0010,0030) PatientBirthDate`, value: birth, core: birth, digits: true },
    { place: `${door}: (0008,1120)[0]/(0010,0010)`, value: `Ref${k.nameRef}^Pat`, core: k.nameRef },
    { place: `${door}: (0008,1120)[0]/(0010,0020)`, value: `RID-${k.idRef}`, core: k.idRef },
    { place: `${door}: (0010,1002)[0]/(0010,0020)`, value: `OID-${k.idOther}`, core: k.idOther },
    { place: `${door}: (0008,1120)[0]/(0010,1002)[0]/(0010,0010)`, value: `Deep${k.nameDeep}^Two`, core: k.nameDeep },
    { place: `${door}: (0008,1120)[0]/(0010,1002)[0]/(0010,0020)`, value: `DID-${k.idDeep}`, core: k.idDeep },
    { place: `${door}: (0019,0010) private creator`, value: `CR ${k.creator}`, core: k.creator },
    { place: `${door}: (0019,1001) private value`, value: `PV-${k.privateTop}`, core: k.privateTop },
    { place: `${door}: (0010,1002)[0]/(0029,1001) nested private value`, value: `NPV-${k.privateNested}`, core: k.privateNested },
    { place: `${door}: (0010,1001) OtherPatientNames as VR UN`, value: `Un${k.unTop}^X`, core: k.unTop },
  ];
  const dimse = door === 'cstore' || door === 'badcstore';
  if (!dimse) {
    list.push({ place: `${door}: (0002,0016) SourceApplicationEntityTitle`, value: `AE${k.metaAe}`, core: k.metaAe });
    list.push({ place: `${door}: file name inside the archive`, value: `MN${k.member}`, core: k.member });
  }
  const v = (i: number) => list[i].value;
  /** One file of the door's study, every canary in place; file name and meta only where the door carries them. */
  const file = (study: string, i: number) => {
    let data = buildDicom({
      rows: 8,
      columns: 8,
      elements: {
        PatientName: v(0),
        PatientID: v(1),
        PatientBirthDate: v(2),
        // Labels for C-STORE identification (XNAT's PatientComments extractor); not PHI. The 'headers' door has none.
        PatientComments: door === 'headers' ? null : `Project:${PROJECT} Subject:SUBJ_${door.toUpperCase()} Session:SESS_${door.toUpperCase()}`,
        StudyInstanceUID: study,
        SeriesInstanceUID: `${study}.1`,
        SOPInstanceUID: `${study}.1.${i}`,
        SeriesNumber: '1',
        InstanceNumber: String(i),
        '(0019,0010)': v(8),
        '(0019,1001)': v(9),
      },
      sequences: {
        '(0008,1120)': { items: [{ '(0010,0010)': v(3), '(0010,0020)': v(4), '(0010,1002)': { items: [{ '(0010,0010)': v(6), '(0010,0020)': v(7) }] } }] },
        '(0010,1002)': { items: [{ '(0010,0020)': v(5), '(0029,0010)': v(8), '(0029,1001)': v(10) }] },
      },
    });
    data = withDatasetElement(data, 0x00101001, 'UN', v(11));
    if (!dimse) data = withMetaElement(data, 0x00020016, 'AE', v(12));
    return data;
  };
  const memberName = (i: number) => (dimse ? `${i}.dcm` : `study/${v(13)}/slice-${i}.dcm`);
  return { canaries: list, file, memberName };
}

const doors = Object.fromEntries(DOORS.map((d) => [d, doorCanaries(d)])) as Record<Door, ReturnType<typeof doorCanaries>>;
const ALL_CANARIES = DOORS.flatMap((d) => doors[d].canaries);
const failDoors = { badmember: doorCanaries('badmember'), badscript: doorCanaries('badscript'), badcstore: doorCanaries('badcstore') };
const FAIL_CANARIES = [...failDoors.badmember.canaries, ...failDoors.badscript.canaries, ...failDoors.badcstore.canaries];

/** The project, both scripts and the C-STORE receiver of a canary run. */
async function setUpPhiStack(stack: TestStack, log?: (line: Record<string, unknown>) => void): Promise<RunningReceiver> {
  expect((await http(stack.baseUrl, 'PUT', `/data/projects/${PROJECT}`)).status).toBe(201);
  expect((await http(stack.baseUrl, 'PUT', '/xapi/anonymize/site', SITE_SCRIPT)).status).toBe(200);
  expect((await http(stack.baseUrl, 'PUT', `/data/config/edit/projects/${PROJECT}/image/dicom/script`, PROJECT_SCRIPT)).status).toBe(200);
  return startReceiver(
    {
      id: 'rx-phi', enabled: true, aeTitle: AE, host: '127.0.0.1', port: 0, destination: 'archive', anonymizationEnabled: true,
      allowedCallingAeTitles: ['MODALITY1'], transferSyntaxes: [...DEFAULT_TRANSFER_SYNTAXES], sessionIdleSeconds: 3,
      routing: { project: [], subject: [], session: [] },
    },
    { repos: stack.repos, store: stack.store, client: stack.client, taskQueue: stack.taskQueue, siteAnonEnabled: true, signalIntervalMs: 200, ...(log && { log }) },
  );
}

const importPath = (route: string, door: Door) => `${route}?import-handler=DICOM-zip&inbody=true&dest=/archive/projects/${PROJECT}/subjects/SUBJ_${door.toUpperCase()}/experiments/SESS_${door.toUpperCase()}`;

describe('PHI canaries through every front door', () => {
  let stack: TestStack;
  let rx: RunningReceiver;
  let inputDir: string;
  let tempBefore: Set<string>;
  /** The upload client's input folder: the user's own files, named with canaries on purpose (not searched). */
  let clientInput = '';
  /** Every name the upload client created in its temp folder while it ran (the folder is gone afterwards). */
  const clientTempNames: string[] = [];
  const lines: string[] = [];
  const studies: Partial<Record<Door, string>> = {};

  beforeAll(async () => {
    tempBefore = new Set(await readdir(tmpdir()));
    // Every log line at the most verbose level, from the API, the worker, the Temporal runtime and the receiver.
    stack = await startTestStack({ DICOM_INTAKE_LOG_LEVEL: 'trace' }, { logDestination: { write: (s: string) => void lines.push(s) } });
    inputDir = await mkdtemp(join(tmpdir(), 'phi-canary-input-'));
    rx = await setUpPhiStack(stack, (l) => void lines.push(JSON.stringify(l)));
  });
  afterAll(async () => {
    await rx?.close();
    await stack?.stop();
    if (inputDir) await rm(inputDir, { recursive: true, force: true });
    if (clientInput) await rm(clientInput, { recursive: true, force: true });
  });

  const study = (door: Door) => {
    const uid = syntheticUid();
    studies[door] = uid;
    const members = Array.from({ length: FILES_PER_DOOR }, (_, i) => ({ name: doors[door].memberName(i + 1), data: doors[door].file(uid, i + 1) }));
    // Positive control: what is sent really carries every canary of the door (names and bytes, as the server gets them).
    const sent = new PhiSearch(doors[door].canaries);
    for (const m of members) sent.bytes('input', m.name, Buffer.concat([Buffer.from(m.name), m.data]));
    expect(new Set(sent.hits.map((h) => h.planted))).toEqual(new Set(doors[door].canaries.map((c) => c.place)));
    return members;
  };

  /** Each archived file of a door's session went through both passes: the labels are in, two (0012,0064) items. */
  const expectArchived = async (door: Door, subject = `SUBJ_${door.toUpperCase()}`, session = `SESS_${door.toUpperCase()}`) => {
    const keys = await stack.store.list(`archive/${PROJECT}/${subject}/${session}`);
    expect(keys).toHaveLength(FILES_PER_DOOR);
    for (const key of keys) {
      const ds = await openDicom(stack.store.path(key));
      expect(ds.getString(0x00100010)).toBe(subject);
      expect(ds.getString(0x00100020)).toBe(session);
      expect(ds.getDeidentificationMethodCodes()).toHaveLength(2);
    }
  };

  it('When a zip with canaries in every PHI place is imported into the archive, then it is archived after both passes', async () => {
    const res = await http(stack.baseUrl, 'POST', importPath('/data/services/import', 'zip'), await zipBuffers(study('zip')), 'application/zip');
    expect(res.text).toContain('SESS_ZIP');
    expect(res.status).toBe(200);
    await expectArchived('zip');
  });

  it('When a zip with canaries is imported with only the project as destination, then subject and session come from the headers after the site pass', async () => {
    const res = await http(stack.baseUrl, 'POST', `/data/services/import?import-handler=DICOM-zip&inbody=true&dest=/archive/projects/${PROJECT}`, await zipBuffers(study('headers')), 'application/zip');
    expect(res.status).toBe(200);
    const [, subject, session] = /subjects\/([^/]+)\/experiments\/([^/\s]+)/.exec(res.text)!;
    // PatientName after the site pass; the site script deleted PatientID, so the session gets the default label.
    expect(subject).toMatch(/^SITE.REMOVED$/);
    expect(session).toBe('dicom_upload');
    await expectArchived('headers', subject, session);
  });

  it('When a zip with canaries goes to the prearchive, is committed and then relabelled, then the files carry the site pass, the project pass and the edit', async () => {
    const res = await http(stack.baseUrl, 'POST', `/data/services/import?import-handler=DICOM-zip&inbody=true&dest=/prearchive/projects/${PROJECT}&SUBJECT_ID=SUBJ_PREARCHIVE&EXPT_LABEL=SESS_PRE`, await zipBuffers(study('prearchive')), 'application/zip');
    expect(res.status, res.text).toBe(200);
    const pre = (await stack.repos.prearchive.list(PROJECT)).find((p) => p.folder === 'SESS_PRE');
    if (pre?.status === 'READY') expect((await http(stack.baseUrl, 'POST', `/api/prearchive/${pre.id}/commit?wait=true`)).status).toBe(200);
    const edited = await http(stack.baseUrl, 'POST', `/api/archive/projects/${PROJECT}/sessions/SESS_PRE/relabel?label=SESS_PREARCHIVE&wait=true`);
    expect(edited.status, edited.text).toBe(200);
    const keys = await stack.store.list(`archive/${PROJECT}/SUBJ_PREARCHIVE/SESS_PREARCHIVE`);
    expect(keys).toHaveLength(FILES_PER_DOOR);
    for (const key of keys) {
      const ds = await openDicom(stack.store.path(key));
      expect(ds.getString(0x00100020)).toBe('SESS_PREARCHIVE');
      expect(ds.getDeidentificationMethodCodes()).toHaveLength(3);
    }
  });

  it('When a tar.gz with canaries is imported into the archive, then it is archived after both passes', async () => {
    const res = await http(stack.baseUrl, 'POST', importPath('/data/services/import', 'tgz'), tgzBuffers(study('tgz')), 'application/gzip');
    expect(res.status).toBe(200);
    await expectArchived('tgz');
  });

  it('When a tar.gz with canaries comes as a multipart file field named with a canary, then it is archived after both passes', async () => {
    const boundary = '----phi-canary-boundary';
    const fileName = `${doors.multipart.canaries.at(-1)!.value}.tgz`;
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: application/gzip\r\n\r\n`),
      tgzBuffers(study('multipart')),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const res = await http(stack.baseUrl, 'POST', importPath('/data/services/import', 'multipart').replace('&inbody=true', ''), body, `multipart/form-data; boundary=${boundary}`);
    expect(res.status).toBe(200);
    await expectArchived('multipart');
  });

  it('When a zip with canaries is posted to the JSON API /api/uploads, then the upload ends ARCHIVED after both passes', async () => {
    const res = await http(stack.baseUrl, 'POST', importPath('/api/uploads', 'api'), await zipBuffers(study('api')), 'application/zip');
    expect(res.status).toBe(202);
    const { uploadId, workflowId } = JSON.parse(res.text) as { uploadId: string; workflowId: string };
    await stack.client.workflow.getHandle(workflowId).result();
    expect(JSON.parse((await http(stack.baseUrl, 'GET', `/api/uploads/${uploadId}`)).text)).toMatchObject({ status: 'ARCHIVED', files: FILES_PER_DOOR });
    await expectArchived('api');
  });

  it('When files with canaries are sent by dcmtk storescu to the C-STORE receiver, then the study is archived after both passes', async () => {
    const files: string[] = [];
    for (const m of study('cstore')) {
      const p = join(inputDir, m.name);
      await writeFile(p, m.data);
      files.push(p);
    }
    const sent = await runScu('storescu', { port: rx.port, callingAe: 'MODALITY1', calledAe: AE, files }).done;
    expect(sent.code).toBe(0);
    const handle = stack.client.workflow.getHandle(studyWorkflowId(receivedStudyKey('rx-phi', studies.cstore!)));
    await studyResult(handle);
    await expectArchived('cstore');
  });

  it('When `dicom-intake upload --anonymize-locally` sends a folder with canaries in headers and folder names, then the client ran both passes and the study is archived', async () => {
    clientInput = await mkdtemp(join(tmpdir(), 'phi-canary-client-input-'));
    const clientTmp = await mkdtemp(join(tmpdir(), 'phi-canary-client-tmp-'));
    for (const m of study('client')) {
      await mkdir(dirname(join(clientInput, m.name)), { recursive: true });
      await writeFile(join(clientInput, m.name), m.data);
    }
    // The client's work folder is removed when it ends: its names are recorded while it runs.
    const watcher = watch(clientTmp, { recursive: true }, (_event, name) => void (name && clientTempNames.push(name)));
    let out: { stdout: string; stderr: string };
    try {
      out = await execFileAsync('node', [CLI, 'upload', clientInput, '--project', PROJECT, '--subject', 'SUBJ_CLIENT', '--session', 'SESS_CLIENT', '--anonymize-locally', '--json', '--url', stack.baseUrl], {
        env: { ...process.env, DICOM_INTAKE_TOKEN: stack.adminToken, DICOM_INTAKE_LOG_LEVEL: 'trace', TMPDIR: clientTmp },
      });
    } finally {
      watcher.close();
    }
    // The client's own output is a log like the server's: searched with it.
    for (const l of `${out.stdout}\n${out.stderr}`.split('\n').filter(Boolean)) lines.push(`client: ${l}`);
    expect(JSON.parse(out.stdout)).toMatchObject({ ok: true, urls: [`/data/archive/projects/${PROJECT}/subjects/SUBJ_CLIENT/experiments/SESS_CLIENT`], anonymized: { files: FILES_PER_DOOR } });
    // Positive control of the watch: the client's work folder and the anonymized zip it sent were seen.
    expect(clientTempNames.some((n) => n.startsWith('dicom-intake-upload-'))).toBe(true);
    expect(clientTempNames.some((n) => n.endsWith('.zip'))).toBe(true);
    expect(await readdir(clientTmp).then((names) => names.filter((n) => n.startsWith('dicom-intake-upload-')))).toEqual([]);
    await rm(clientTmp, { recursive: true, force: true });
    await expectArchived('client');
    const [upload] = await stack.db('uploads').where({ method: 'client' });
    expect(upload.status).toBe('ARCHIVED');
  });

  /** Searches every place; returns the search (hits and count). */
  const searchEverything = async (canaries: readonly Canary[] = ALL_CANARIES, keepsBytes?: (path: string) => boolean): Promise<PhiSearch> => {
    const search = new PhiSearch(canaries);
    // Logs: every captured line.
    const logLines = [...lines]; // the search itself logs (trace level): search what was there when it began
    logLines.forEach((l, i) => search.text('log', `line ${i + 1}`, l));
    // Temporal, read with no codec: every workflow of this stack's task queue and every child they started.
    const raw = await rawService(inject('temporalAddress'));
    try {
      const ids = new Set<string>();
      for await (const wf of stack.client.workflow.list({ query: `TaskQueue = "${stack.taskQueue}"` })) ids.add(wf.workflowId);
      for (const row of await stack.db('uploads').select('workflow_id')) if (row.workflow_id) ids.add(row.workflow_id as string);
      ids.add(studyWorkflowId(receivedStudyKey('rx-phi', studies.cstore!)));
      const queue = [...ids];
      let decodedAll = '';
      const seen = new Set<string>();
      while (queue.length) {
        const id = queue.shift()!;
        if (seen.has(id)) continue;
        seen.add(id);
        search.text('workflow id', id, id);
        const history = await raw.history('default', id);
        const text = historyText(history);
        expect(text.length).toBeGreaterThan(0);
        search.text('history (no codec)', id, text);
        // Invariant 1 is stronger than encryption: inputs and results carry no header values even inside the
        // encrypted payloads, so the payloads are also searched decoded with the codec.
        const decoded = await stack.codec.decode(payloadsIn(history).map((p) => p.payload) as Payload[]);
        const decodedText = decoded.map((p) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8')).join('\n');
        search.text('history (decoded with the codec)', id, decodedText);
        decodedAll += decodedText;
        const description = await raw.describe('default', id);
        search.text('description and search attributes', id, historyText(description as never) + JSON.stringify(description));
        queue.push(...childWorkflowIds(history));
      }
      // Every door's workflows were found: 5 imports + 5 archive children + the study, its import and its archive.
      expect(seen.size).toBeGreaterThanOrEqual(13);
      expect(search.places).toBe(logLines.length + 4 * seen.size);
      // The decoded payloads are really plaintext (the search of them could otherwise pass on ciphertext).
      expect(decodedAll).toContain('"uploadId"');
      expect([...seen].some((id) => id.startsWith('study-'))).toBe(true);
    } finally {
      await raw.close();
    }
    // Database: every row of every table.
    for (const t of await dumpSqlite(stack.db)) search.text('database', t.table, t.text);
    // Data folder: every folder and file name, and every file's bytes (archive, staging, quarantine, the SQLite
    // file and its journal, whose free pages could still hold deleted rows).
    await searchTree(search, 'data folder', stack.dataDir, false, keepsBytes);
    // OS temp folder: names of everything created since the test began (the input folder's files included).
    for (const name of (await readdir(tmpdir())).filter((n) => !tempBefore.has(n) && n !== basename(clientInput))) {
      search.text('temp name', name, name);
      await searchTree(search, 'temp name', join(tmpdir(), name), true);
    }
    for (const name of clientTempNames) search.text('client temp name', name, name);
    return search;
  };

  it('When every door has archived its study, then no canary is in the logs, Temporal histories, workflow ids, search attributes, database rows, data folder names or bytes, or new temp entries', async () => {
    expect(Object.keys(studies).sort()).toEqual([...DOORS].sort());
    // The captured logs are the real ones: the import's activities logged.
    expect(lines.some((l) => l.includes('runSitePass'))).toBe(true);
    expect(await stack.store.list('staging')).toEqual([]);
    expect(await stack.store.list('quarantine')).toEqual([]);
    const search = await searchEverything();
    console.log(`phi-canary: canaries ${ALL_CANARIES.length}, places searched ${search.places}, hits ${search.hits.length}`);
    expect(search.hits).toEqual([]);
  });

  it('When the studies are archived, then their Study Instance UIDs are in the archived files only, kept there on purpose', async () => {
    const uids: Canary[] = Object.entries(studies).map(([door, uid]) => ({ place: `${door}: (0020,000D) StudyInstanceUID`, value: uid!, core: uid! }));
    expect(uids).toHaveLength(DOORS.length);
    // Kept on purpose: neither script remaps UIDs (no hashUID), so the archived files hold them. Everywhere else
    // (logs, Temporal, ids, rows, names, the SQLite file's bytes) only hashed study keys may appear.
    const archived = (path: string) => path.startsWith('archive/');
    const search = await searchEverything(uids, archived);
    expect(search.hits).toEqual([]);
    const unexempt = await searchEverything(uids);
    expect(new Set(unexempt.hits.map((h) => h.canary))).toEqual(new Set(uids.map((u) => u.value)));
    expect(unexempt.hits.every((h) => h.kind === 'data folder bytes' && archived(h.where))).toBe(true);
  });

  const failStudy = (door: FailDoor, uid = syntheticUid()) => {
    return Array.from({ length: FILES_PER_DOOR }, (_, i) => ({ name: failDoors[door].memberName(i + 1), data: failDoors[door].file(uid, i + 1) }));
  };

  it('When a zip holds a member that is not DICOM, under a name with a canary, then the uploader is told the name and the upload is quarantined', async () => {
    const members = [...failStudy('badmember'), { name: `${failDoors.badmember.memberName(9)}`, data: Buffer.from('not DICOM at all '.repeat(20)) }];
    const res = await http(stack.baseUrl, 'POST', importPath('/data/services/import', 'zip').replace('SESS_ZIP', 'SESS_BADMEMBER'), await zipBuffers(members), 'application/zip');
    expect(res.status).toBe(400);
    // The name goes back to the one who sent it (the HTTP answer), and nowhere else (searched below).
    expect(res.text).toContain(failDoors.badmember.canaries.at(-1)!.value);
  });

  it('When the site script fails on a file, then the upload is refused with 422 and quarantined, and the error names no header value', async () => {
    expect((await http(stack.baseUrl, 'PUT', '/xapi/anonymize/site', FAILING_SITE_SCRIPT)).status).toBe(200);
    try {
      const res = await http(stack.baseUrl, 'POST', importPath('/data/services/import', 'zip').replace('SESS_ZIP', 'SESS_BADSCRIPT'), await zipBuffers(failStudy('badscript')), 'application/zip');
      expect(res.text).toMatch(/^AnonymizationFailedError: /);
      expect(res.status).toBe(422);
      for (const c of failDoors.badscript.canaries.slice(0, -1)) expect(res.text).not.toContain(c.core);
      // The same failure through C-STORE: the study's import fails and is quarantined.
      const uid = syntheticUid();
      const files: string[] = [];
      for (const m of failStudy('badcstore', uid)) {
        const p = join(inputDir, `bad-${m.name}`);
        await writeFile(p, m.data);
        files.push(p);
      }
      expect((await runScu('storescu', { port: rx.port, callingAe: 'MODALITY1', calledAe: AE, files }).done).code).toBe(0);
      // Whether the study run ends failed or reports the failed import is the study workflow's business; here it
      // matters that the import failed and was quarantined.
      await studyResult(stack.client.workflow.getHandle(studyWorkflowId(receivedStudyKey('rx-phi', uid)))).catch(() => undefined);
      const failed = await stack.db('uploads').where({ method: 'cstore', status: 'ERROR' });
      expect(failed).toHaveLength(1);
      expect(failed[0].error_code ?? failed[0].error).toMatch(/AnonymizationFailed/);
    } finally {
      expect((await http(stack.baseUrl, 'PUT', '/xapi/anonymize/site', SITE_SCRIPT)).status).toBe(200);
    }
  });

  it('When uploads have failed, then their canaries are nowhere but in the raw upload kept in quarantine on purpose', async () => {
    const quarantined = await stack.store.list('quarantine');
    expect(quarantined.filter((k) => k.endsWith('reason.json'))).toHaveLength(3);
    // Kept on purpose (DESIGN invariant 3, nothing lost): a failed upload's own bytes stay in quarantine/<upload>/, as
    // received, for a person to look at; they are raw by definition. Only their BYTES are exempt: their names, the
    // reason file, and everything else everywhere else are searched.
    const keepsBytes = (path: string) => /^quarantine\/[^/]+\/(upload\.zip|raw\/\d+\.dcm)$/.test(path);
    const search = await searchEverything([...ALL_CANARIES, ...FAIL_CANARIES], keepsBytes);
    console.log(`phi-canary (failed uploads): canaries ${ALL_CANARIES.length + FAIL_CANARIES.length}, places searched ${search.places}, hits ${search.hits.length}`);
    expect(search.hits).toEqual([]);
    // The exemption is not wider than it says: without it, the quarantined uploads are found.
    const unexempt = await searchEverything(FAIL_CANARIES);
    expect(unexempt.hits.length).toBeGreaterThan(0);
    expect(unexempt.hits.every((h) => h.kind === 'data folder bytes' && keepsBytes(h.where))).toBe(true);
  });

  it('When canaries are planted on purpose in a log line, a table, a data file and a temp entry, then the searcher finds each of them', async () => {
    const [name, id, , , , , , , , , , un] = doors.zip.canaries;
    const planted = join(stack.dataDir, `planted-${id.core.toLowerCase()}`);
    const tempEntry = await mkdtemp(join(tmpdir(), `phi-canary-planted-${un.core}-`));
    await writeFile(planted, Buffer.from(`bytes ${name.value} here`, 'utf16le'));
    stack.logger.warn({ note: `planted ${un.value}` }, 'negative control');
    await stack.db.schema.createTable('phi_canary_planted', (t) => t.text('v'));
    await stack.db('phi_canary_planted').insert({ v: name.value.toUpperCase() });
    try {
      const search = await searchEverything();
      expect(search.of('log').map((h) => h.canary)).toEqual([un.value]);
      expect(search.of('database').map((h) => `${h.where}:${h.canary}`)).toEqual([`phi_canary_planted:${name.value}`]);
      expect(search.of('data folder name').map((h) => h.canary)).toEqual([id.value]);
      expect(search.of('data folder bytes').map((h) => h.canary)).toEqual(expect.arrayContaining([name.value]));
      expect(search.of('temp name').map((h) => h.canary)).toEqual(expect.arrayContaining([un.value]));
    } finally {
      await rm(planted, { force: true });
      await rm(tempEntry, { recursive: true, force: true });
      await stack.db.schema.dropTable('phi_canary_planted');
    }
    expect((await walk(stack.dataDir)).some((e) => e.path.startsWith('planted-'))).toBe(false);
  });
});

// The same doors and failures with a staging key (issue 7 §5): raw bytes before the site pass are sealed, so the
// staging and quarantine folders hold no canary at any moment, including the failed uploads kept on purpose.
describe('PHI canaries with a staging key: staging and quarantine hold no canary bytes', () => {
  type KeyedDoor = 'zip' | 'tgz' | 'cstore' | 'badmember' | 'badscript' | 'badcstore';
  const keyed = Object.fromEntries((['zip', 'tgz', 'cstore', 'badmember', 'badscript', 'badcstore'] as const).map((d) => [d, doorCanaries(d)])) as Record<KeyedDoor, ReturnType<typeof doorCanaries>>;
  const KEYED_CANARIES = Object.values(keyed).flatMap((d) => d.canaries);
  let stack: TestStack;
  let rx: RunningReceiver;
  let inputDir: string;
  /** Every staging and quarantine file's bytes as seen after unpacking and after each site-passed file. */
  const snapshots = new Map<string, Buffer>();
  const files = (door: KeyedDoor, uid = syntheticUid()) => Array.from({ length: FILES_PER_DOOR }, (_, i) => ({ name: keyed[door].memberName(i + 1), data: keyed[door].file(uid, i + 1) }));
  const snapshot = async (point: string) => {
    for (const area of ['staging', 'quarantine']) {
      for (const key of await stack.store.list(area)) snapshots.set(`${point} ${key}`, await readFile(stack.store.path(key)).catch(() => Buffer.alloc(0)));
    }
  };
  const sendScu = async (door: 'cstore' | 'badcstore', uid: string) => {
    const paths: string[] = [];
    for (const m of files(door, uid)) {
      const p = join(inputDir, `${door}-${m.name}`);
      await writeFile(p, m.data);
      paths.push(p);
    }
    expect((await runScu('storescu', { port: rx.port, callingAe: 'MODALITY1', calledAe: AE, files: paths }).done).code).toBe(0);
    await snapshot('after storescu');
    return studyResult(stack.client.workflow.getHandle(studyWorkflowId(receivedStudyKey('rx-phi', uid))));
  };
  const post = (door: KeyedDoor, body: Buffer, type: string) => http(stack.baseUrl, 'POST', `/data/services/import?import-handler=DICOM-zip&inbody=true&dest=/archive/projects/${PROJECT}/subjects/SUBJ_K/experiments/SESS_K_${door.toUpperCase()}`, body, type);

  beforeAll(async () => {
    stack = await startTestStack({ DICOM_INTAKE_STAGING_KEYS: formatKeyList([newCodecKey()]) });
    inputDir = await mkdtemp(join(tmpdir(), 'phi-canary-keyed-input-'));
    rx = await setUpPhiStack(stack);
    // Activities read deps.faultPoint at each call: staging is looked at while raw bytes are there.
    stack.activityDeps.faultPoint = async (point) => {
      if (point === 'unpack:after-extract' || point === 'site-pass:after-file') await snapshot(point);
    };
  });
  afterAll(async () => {
    await rx?.close();
    await stack?.stop();
    if (inputDir) await rm(inputDir, { recursive: true, force: true });
  });

  it('When a zip, a tar.gz and a storescu study go through with a staging key, then each is archived; a bad member, a failing site script and a failing C-STORE study are quarantined', async () => {
    expect((await post('zip', await zipBuffers(files('zip')), 'application/zip')).status).toBe(200);
    expect((await post('tgz', tgzBuffers(files('tgz')), 'application/gzip')).status).toBe(200);
    await sendScu('cstore', syntheticUid());
    const bad = await post('badmember', await zipBuffers([...files('badmember'), { name: keyed.badmember.memberName(9), data: Buffer.from('not DICOM at all '.repeat(20)) }]), 'application/zip');
    expect(bad.status).toBe(400);
    // The member's name is read back from the sealed upload in quarantine, for the uploader only.
    expect(bad.text).toContain(keyed.badmember.canaries.at(-1)!.value);
    expect((await http(stack.baseUrl, 'PUT', '/xapi/anonymize/site', FAILING_SITE_SCRIPT)).status).toBe(200);
    try {
      expect((await post('badscript', await zipBuffers(files('badscript')), 'application/zip')).status).toBe(422);
      await sendScu('badcstore', syntheticUid()).catch(() => undefined);
    } finally {
      expect((await http(stack.baseUrl, 'PUT', '/xapi/anonymize/site', SITE_SCRIPT)).status).toBe(200);
    }
    const archived = await stack.store.list(`archive/${PROJECT}`);
    expect(archived).toHaveLength(3 * FILES_PER_DOOR);
    expect((await stack.db('uploads').where({ status: 'ERROR' })).length).toBe(3);
  });

  it('When the keyed run is over, then no staging or quarantine file, at any point looked at, holds a canary; decrypted, the quarantined uploads do', async () => {
    await snapshot('end');
    const search = new PhiSearch(KEYED_CANARIES);
    for (const [where, bytes] of snapshots) search.bytes('staging/quarantine bytes', where, bytes);
    await searchTree(search, 'staging', join(stack.dataDir, 'staging'));
    await searchTree(search, 'quarantine', join(stack.dataDir, 'quarantine'));
    console.log(`phi-canary (staging key): canaries ${KEYED_CANARIES.length}, staging/quarantine snapshots ${snapshots.size}, places searched ${search.places}, hits ${search.hits.length}`);
    expect(search.hits).toEqual([]);
    // The snapshots saw raw bytes before every site pass (positive control of the hook) ...
    expect([...snapshots.keys()].filter((k) => /^unpack:after-extract staging\/[^/]+\/raw\/\d+\.dcm$/.test(k)).length).toBeGreaterThanOrEqual(4 * FILES_PER_DOOR);
    // ... and the quarantined raw bytes hold the canaries: read through the staging key, the search finds them.
    const raw = (await stack.store.list('quarantine')).filter((k) => /\/(upload\.zip|raw\/\d+\.dcm)$/.test(k));
    expect(raw.length).toBeGreaterThanOrEqual(3);
    const decrypted = new PhiSearch(KEYED_CANARIES);
    for (const key of raw) {
      const parts: Buffer[] = [];
      for await (const c of stack.store.staged.readStream(stack.store.path(key))) parts.push(c as Buffer);
      decrypted.bytes('quarantine plaintext', key, Buffer.concat(parts));
    }
    expect(decrypted.hits.length).toBeGreaterThan(0);
  });
});

async function studyResult(handle: WorkflowHandle): Promise<unknown> {
  const end = Date.now() + 20_000;
  while (!(await handle.describe().then(() => true, () => false))) {
    if (Date.now() > end) throw new Error('study workflow did not start within 20 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return handle.result();
}
