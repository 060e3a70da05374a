import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { freePort } from '../support/free-port';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApiServer } from '../../src/api/server';
import { ensureSiteAdmin } from '../../src/auth/accounts';
import { createDataConverter } from '../../src/codec/data-converter';
import { loadConfig } from '../../src/config/load-config';
import { openDicom } from '../../src/dicom';
import { defaultTemporalCli, startDevServer, type DevServer, type DevServerOptions } from '../../src/workers/temporal-dev-server';
import { openServices, type Services } from '../../src/workers/services';
import { archiveWorkflowId } from '../../src/workflows/workflow-ids';
import { seededRandom } from '../factories/dicom-mutator';
import { studyZip } from '../factories/study-zip';
import { http, useToken } from '../support/http';
import { WorkerProcess } from '../support/worker-process';

// Bounded and seeded: CHAOS_SEED reproduces a run's schedule of kills. Loopback only; every wait has a deadline.
const SEED = Number(process.env.CHAOS_SEED ?? 20261130);
const FILES = 5;
/** Direct archive uploads during the chaos (sessions E0…), and repeats of the first ones (same content, same label). */
const UPLOADS = 8;
const DUPLICATE_POSTS = 2;
/** Prearchive sessions committed during the chaos (C0…), placed before it. */
const COMMITS = 4;
/** Archived sessions edited during the chaos (A0…), one per edit kind, archived before it. */
const EDITS = ['session-relabel', 'subject-relabel', 'move', 'reassign'] as const;
/** Uploads to a project that archives automatically (code 4), through the prearchive (sessions P0…). */
const AUTO_ARCHIVED = 2;
const WORKER_KILLS = 6;
const TEMPORAL_RESTART_AFTER_KILL = 3;
const SETTLE_DEADLINE_MS = 300_000;

// Labels go into the headers at both passes, so that after an edit the headers can be checked against the catalog.
const SITE_SCRIPT = 'version "6.1"\n(0010,0010) := subject\n(0010,0020) := session\n-(0010,0030)\n';
const projectScript = (institution: string) => `version "6.1"\n(0010,0010) := subject\n(0010,0020) := session\n(0008,1030) := project\n(0008,0080) := "${institution}"\n`;
/** Fails on the third file, after passing two: the direct archive to PF fails and is retried once fixed. */
const FAILING_ON_THIRD = `${projectScript('PF INSTITUTE')}(0020,0013) = "3" ? (0008,0020) := shiftDateByIncrement[(0010,0010), 1]\n`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const FIGURES = resolve(__dirname, '../../test-output/crash-safety-figures.txt');

describe('crash safety: uploads, commits and edits while the worker is SIGKILLed and Temporal restarts', () => {
  let dir: string;
  let temporalOptions: DevServerOptions;
  let temporal: DevServer;
  let services: Services;
  let connection: Connection;
  let server: Server;
  let baseUrl: string;
  let worker: WorkerProcess;
  let dataConverter: DataConverter;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dicom-intake-chaos-'));
    const env = {
      DICOM_INTAKE_DATA_DIR: join(dir, 'data'),
      DICOM_INTAKE_DATABASE_URL: `sqlite://${join(dir, 'db.sqlite')}`,
      DICOM_INTAKE_TASK_QUEUE: `chaos-${randomUUID()}`,
      // The worker process and this API must share the payload keys: the run's test keys.
      DICOM_INTAKE_CODEC_KEYS: inject('codecKeys'),
    } as Record<string, string>;
    const base = loadConfig({ ...process.env, ...env });
    // Its own dev server with file persistence: the shared in-memory one would lose everything on restart.
    temporalOptions = {
      cli: defaultTemporalCli(),
      ip: '127.0.0.1',
      port: await freePort(),
      namespace: 'default',
      dbFile: join(dir, 'temporal.sqlite'),
      searchAttributes: base.temporal.searchAttributes,
      readyTimeoutMs: 120_000,
      stdio: 'ignore',
    };
    temporal = await startDevServer(temporalOptions);
    env.DICOM_INTAKE_TEMPORAL_ADDRESS = temporal.address;
    const config = loadConfig({ ...process.env, ...env });
    services = await openServices(config);
    dataConverter = createDataConverter(config.temporal.codec);
    connection = await Connection.connect({ address: temporal.address });
    server = createApiServer({
      db: services.db,
      repos: services.repos,
      store: services.store,
      client: new Client({ connection, namespace: 'default', dataConverter }),
      taskQueue: config.temporal.taskQueue,
      uploadMaxBytes: config.limits.uploadMaxBytes,
      siteAnonEnabled: true,
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    useToken(baseUrl, (await ensureSiteAdmin(services.repos))!.token);
    worker = new WorkerProcess(env, inject('workflowBundlePath'), join(dir, 'worker.log'));
    await worker.start();
  });

  afterAll(async () => {
    await worker?.stop();
    server?.close();
    await connection?.close();
    await services?.close();
    await temporal?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('When uploads, prearchive commits and metadata edits run while the worker is killed at random and Temporal restarts once, then each ends as expected with nothing lost or doubled', async () => {
    const { repos, store, db } = services;
    for (const [p, code] of [['PC', 0], ['PQ', 0], ['PA', 4], ['PF', 0]]) expect((await http(baseUrl, 'PUT', `/data/projects/${p}?prearchive_code=${code}`)).status).toBe(201);
    const scriptId = async (path: string, text: string) => JSON.parse((await http(baseUrl, 'PUT', path, text)).text).id as number;
    const site = await scriptId('/xapi/anonymize/site', SITE_SCRIPT);
    const pc = await scriptId('/data/config/edit/projects/PC/image/dicom/script', projectScript('PC INSTITUTE'));
    const pq = await scriptId('/data/config/edit/projects/PQ/image/dicom/script', projectScript('PQ INSTITUTE'));
    const pa = await scriptId('/data/config/edit/projects/PA/image/dicom/script', projectScript('PA INSTITUTE'));
    await scriptId('/data/config/edit/projects/PF/image/dicom/script', FAILING_ON_THIRD);

    let studies = 0;
    const newZip = async () => (await studyZip({ patientName: `Chaos^Patient${++studies}`, patientId: `CHAOS-${studies}`, birthDate: '19400101' }, FILES)).zip;
    const post = async (path: string, body?: Buffer) => {
      const res = await http(baseUrl, 'POST', path, body, body && 'application/zip');
      expect(res.status, `${path}: ${res.text}`).toBe(202);
      return JSON.parse(res.text) as Record<string, string>;
    };
    const upload = async (dest: string, zip: Buffer) => (await post(`/api/uploads?import-handler=DICOM-zip&inbody=true&${dest}`, zip)).uploadId;
    const toArchive = (project: string, subject: string, session: string) => `dest=/archive/projects/${project}/subjects/${subject}/experiments/${session}`;
    const toPrearchive = (subject: string, session: string, project = 'PC') => `dest=/prearchive/projects/${project}&SUBJECT_ID=${subject}&EXPT_LABEL=${session}`;
    const uploadEnded = async (id: string) => {
      const u = await repos.uploads.get(id);
      return u && ['ARCHIVED', 'PREARCHIVED', 'ERROR'].includes(u.status) ? u.status : undefined;
    };

    // Before the chaos (no kills): the sessions to edit, the prearchive sessions to commit, and an archived K0 that
    // the commit of another K0 (other content, overwrite=none) will conflict with.
    const before = [
      ...EDITS.map(async (_, i) => upload(toArchive('PC', `SA${i}`, `A${i}`), await newZip())),
      upload(toArchive('PC', 'SK', 'K0'), await newZip()),
      ...Array.from({ length: COMMITS }, async (_, i) => upload(toPrearchive(`SC${i}`, `C${i}`), await newZip())),
      upload(toPrearchive('SK', 'K0'), await newZip()),
    ];
    const beforeIds = await Promise.all(before);
    const beforeDeadline = Date.now() + SETTLE_DEADLINE_MS;
    for (const id of beforeIds) {
      while (!(await uploadEnded(id)) && Date.now() < beforeDeadline) await sleep(300);
      expect(await uploadEnded(id), `upload ${id} before the chaos`).toMatch(/^(ARCHIVED|PREARCHIVED)$/);
    }
    const pre = new Map((await repos.prearchive.list('PC')).map((p) => [p.folder, p]));

    // The chaos: every operation is started first (the API needs Temporal up to start it); the kills then hit work in
    // flight. Each operation knows how it must end.
    type Op = { kind: 'upload' | 'commit' | 'edit'; id: string; ended: () => Promise<string | undefined>; expected: string };
    const ops: Op[] = [];
    const zips = await Promise.all(Array.from({ length: UPLOADS }, () => newZip()));
    const uploadOp = async (i: number, dest = toArchive('PC', `S${i}`, `E${i}`), zip = zips[i], expected = 'ARCHIVED') => {
      const id = await upload(dest, zip);
      ops.push({ kind: 'upload', id, ended: () => uploadEnded(id), expected });
    };
    const commitOp = async (label: string, expected: string) => {
      const p = pre.get(label)!;
      await post(`/api/prearchive/${p.id}/commit?overwrite=none`);
      ops.push({
        kind: 'commit',
        id: p.id,
        expected,
        ended: async () => {
          const now = await repos.prearchive.get(p.id);
          if (!now) return 'ARCHIVED';
          return !now.lockedBy && (now.status === 'CONFLICT' || now.status === 'ERROR') ? `${now.status}${now.reason ? '' : ' without a reason'}` : undefined;
        },
      });
    };
    const editOp = async (path: string) => {
      const { editId } = await post(path);
      ops.push({ kind: 'edit', id: editId, expected: 'DONE', ended: async () => ((s) => (s === 'RUNNING' ? undefined : s))((await repos.edits.get(editId))?.status) });
    };
    const started = [
      ...Array.from({ length: UPLOADS }, (_, i) => uploadOp(i)),
      ...Array.from({ length: AUTO_ARCHIVED }, async (_, i) => uploadOp(i, toPrearchive(`SP${i}`, `P${i}`, 'PA'), await newZip())),
      // Kept in the prearchive as ERROR by its failing project script (the upload reports the error).
      (async () => uploadOp(0, toArchive('PF', 'SF', 'F0'), await newZip(), 'ERROR'))(),
      ...Array.from({ length: COMMITS }, (_, i) => commitOp(`C${i}`, 'ARCHIVED')),
      commitOp('K0', 'CONFLICT'),
      editOp('/api/archive/projects/PC/sessions/A0/relabel?label=A0R'),
      editOp('/api/archive/projects/PC/subjects/SA1/relabel?label=SA1R'),
      editOp('/api/archive/projects/PC/sessions/A2/move?project=PQ'),
      editOp('/api/archive/projects/PC/sessions/A3/reassign?subject=SX'),
    ];
    await Promise.all(started);
    for (let i = 0; i < DUPLICATE_POSTS; i++) await uploadOp(i);

    const random = seededRandom(SEED);
    let kills = 0;
    let workerStarts = 1;
    let temporalRestarts = 0;
    for (let k = 1; k <= WORKER_KILLS; k++) {
      await sleep(300 + random() * 1500);
      await worker.kill('SIGKILL');
      kills++;
      if (k === TEMPORAL_RESTART_AFTER_KILL) {
        await temporal.stop();
        temporal = await startDevServer(temporalOptions);
        temporalRestarts++;
      }
      await sleep(100 + random() * 700);
      await worker.start();
      workerStarts++;
    }

    const chaosEnded = Date.now();
    // Settle: wait for every operation to end, restarting the worker if it died on its own.
    const deadline = Date.now() + SETTLE_DEADLINE_MS;
    const outcomes = new Map<Op, string>();
    while (outcomes.size < ops.length && Date.now() < deadline) {
      if (!worker.running) {
        await worker.start();
        workerStarts++;
      }
      for (const op of ops) {
        if (outcomes.has(op)) continue;
        const ended = await op.ended();
        if (ended) outcomes.set(op, ended);
      }
      await sleep(500);
    }
    const unexpected = ops.filter((op) => outcomes.get(op) !== op.expected).map((op) => `${op.kind} ${op.id}: ${outcomes.get(op) ?? 'still running'}, expected ${op.expected}`);
    expect(unexpected, 'every operation ended as expected').toEqual([]);
    expect((await repos.prearchive.get(pre.get('K0')!.id))?.reason).toMatch(/^SessionConflictError: session K0 already exists/);

    // The failed direct archive waits in the prearchive as ERROR, as its site-pass files; once its script is fixed,
    // a retry (no kills any more) archives it.
    const [failed] = await repos.prearchive.list('PF');
    expect(failed).toMatchObject({ status: 'ERROR', lockedBy: null, reason: expect.stringMatching(/^AnonymizationFailedError: project script \d+ \(v1\) failed on file #3/) });
    expect((await store.list(`prearchive/PF/${failed.timestamp}/${failed.folder}`)).map((k) => k.split('/').slice(-2).join('/'))).toEqual(Array.from({ length: FILES }, (_, i) => `site/00000${i + 1}.dcm`));
    const pf = await scriptId('/data/config/edit/projects/PF/image/dicom/script', projectScript('PF INSTITUTE'));
    const retried = await http(baseUrl, 'POST', `/api/archive/retry?workflowId=${archiveWorkflowId(failed.groupId!)}`);
    expect(retried.status, retried.text).toBe(200);

    // Nothing lost, nothing doubled: each session holds its instances once, each file carries each pass once (its
    // (0012,0064) items and its pass records), and its headers carry the labels the catalog has.
    const plain = [site, pc];
    const expected = [
      ...Array.from({ length: UPLOADS }, (_, i) => ({ project: 'PC', subject: `S${i}`, session: `E${i}`, passes: plain })),
      ...Array.from({ length: COMMITS }, (_, i) => ({ project: 'PC', subject: `SC${i}`, session: `C${i}`, passes: plain })),
      { project: 'PC', subject: 'SK', session: 'K0', passes: plain },
      ...Array.from({ length: AUTO_ARCHIVED }, (_, i) => ({ project: 'PA', subject: `SP${i}`, session: `P${i}`, passes: [site, pa] })),
      { project: 'PF', subject: 'SF', session: 'F0', passes: [site, pf] },
      { project: 'PC', subject: 'SA0', session: 'A0R', passes: [site, pc, pc] },
      { project: 'PC', subject: 'SA1R', session: 'A1', passes: [site, pc, pc] },
      { project: 'PQ', subject: 'SA2', session: 'A2', passes: [site, pc, pq] },
      { project: 'PC', subject: 'SX', session: 'A3', passes: [site, pc, pc] },
    ];
    let lost = 0;
    let duplicated = 0;
    const mismatches: string[] = [];
    for (const e of expected) {
      const session = await repos.archive.sessionByLabel(e.project, e.session);
      if (session?.subjectLabel !== e.subject) mismatches.push(`${e.project}/${e.session}: subject ${session?.subjectLabel}, expected ${e.subject}`);
      const instances = session ? await repos.archive.instances(session.id) : [];
      lost += Math.max(0, FILES - instances.length);
      duplicated += Math.max(0, instances.length - FILES);
      for (const instance of instances) {
        const ds = await openDicom(store.path(instance.objectKey));
        const codes = ds.getDeidentificationMethodCodes();
        if (codes.length > e.passes.length) duplicated++;
        if (codes.join() !== e.passes.join()) mismatches.push(`${instance.objectKey}: passes ${codes.join()}, expected ${e.passes.join()}`);
        const headers = [ds.getString(0x00100010), ds.getString(0x00100020), ds.getString(0x00081030)].join('/');
        if (headers !== `${e.subject}/${e.session}/${e.project}`) mismatches.push(`${instance.objectKey}: headers ${headers}`);
        if ((await store.digest(instance.objectKey)).sha256 !== instance.contentSha256) mismatches.push(`${instance.objectKey}: digest differs from the catalog`);
        const producedBy = await db('anonymization_passes').where({ kind: 'project', output_sha256: instance.contentSha256 }).whereNull('discarded_at');
        if (producedBy.length !== 1) mismatches.push(`${instance.objectKey}: ${producedBy.length} live project pass records produced it`);
      }
    }
    // Evidence that the kills hit work in flight: activities that completed on a later attempt (retried attempts
    // are not events of their own; the started event of the last one carries its number).
    const client = new Client({ connection, namespace: 'default', dataConverter }); // memos are encrypted
    let interrupted = 0;
    const retriedByType = new Map<string, number>();
    const stillRunning: string[] = [];
    for await (const execution of client.workflow.list({ query: `TaskQueue = '${worker.taskQueue}'` })) {
      const events = (await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory()).events ?? [];
      const scheduled = new Map(events.map((e) => [String(e.eventId), e.activityTaskScheduledEventAttributes?.activityType?.name]));
      for (const e of events.filter((x) => (x.activityTaskStartedEventAttributes?.attempt ?? 1) > 1)) {
        interrupted++;
        const type = `${execution.type}.${scheduled.get(String(e.activityTaskStartedEventAttributes!.scheduledEventId)) ?? '?'}`;
        retriedByType.set(type, (retriedByType.get(type) ?? 0) + 1);
      }
      // Only the purge of superseded versions waits (its retention timer); everything else has ended.
      if (execution.status.name === 'RUNNING' && !execution.workflowId.startsWith('purge-versions-')) stillRunning.push(execution.workflowId);
    }
    const byKind = (kind: Op['kind']) => {
      const mine = ops.filter((o) => o.kind === kind);
      return `${mine.length} (${[...new Set(mine.map((o) => outcomes.get(o) ?? 'running'))].map((s) => `${mine.filter((o) => (outcomes.get(o) ?? 'running') === s).length} ${s}`).join(', ')})`;
    };
    const figures =
      `crash-safety (seed ${SEED}): settled ${((Date.now() - chaosEnded) / 1000).toFixed(0)} s after the last kill; operations ${ops.length}: uploads ${byKind('upload')}, commits ${byKind('commit')}, edits ${byKind('edit')}; ` +
      `worker kills ${kills}, worker starts ${workerStarts}, unexpected worker exits ${worker.unexpectedExits}, temporal restarts ${temporalRestarts}, activities retried ${interrupted} (${[...retriedByType].sort().map(([t, n]) => `${t} ${n}`).join(', ')}), ` +
      `sessions checked ${expected.length}, files checked ${expected.length * FILES}, lost ${lost}, duplicated ${duplicated}, mismatches ${mismatches.length}\n`;
    process.stdout.write(figures);
    await mkdir(resolve(FIGURES, '..'), { recursive: true });
    await writeFile(FIGURES, figures);

    expect({ lost, duplicated }).toEqual({ lost: 0, duplicated: 0 });
    expect(mismatches).toEqual([]);
    expect(stillRunning).toEqual([]);
    expect(interrupted, 'the kills interrupted activities in flight (else this test proves nothing)').toBeGreaterThan(0);
    // One live site pass per received file (repeats of the same content are the same pass), one live project pass per
    // file archived and per file edited; the conflicting commit's project pass was rolled back.
    const live = await db('anonymization_passes').whereNull('discarded_at').select('kind');
    const received = (EDITS.length + 1 + COMMITS + 1 + UPLOADS + AUTO_ARCHIVED + 1) * FILES;
    expect(live.filter((p) => p.kind === 'site')).toHaveLength(received);
    expect(live.filter((p) => p.kind === 'project')).toHaveLength((expected.length + EDITS.length) * FILES);
    // The database agrees with the files: the archive holds exactly the versions the catalog keeps (current ones,
    // and those an edit superseded, kept for the retention time); staging holds nothing; the prearchive holds only
    // the conflicting K0, as its site-pass files.
    const versions = await db('file_versions').whereNull('purged_at').select('object_key');
    expect((await store.list('archive')).sort()).toEqual([...new Set(versions.map((v) => v.object_key as string))].sort());
    expect(await store.list('staging')).toEqual([]);
    // The failed upload's quarantine folder holds its reason only: its session's files are in the prearchive (then archived).
    expect(await store.list('quarantine')).toEqual(ops.filter((o) => o.expected === 'ERROR').map((o) => `quarantine/${o.id}/reason.json`));
    const k0 = pre.get('K0')!;
    expect((await store.list('prearchive')).map((k) => k.replace(`prearchive/PC/${k0.timestamp}/${k0.folder}/`, ''))).toEqual(Array.from({ length: FILES }, (_, i) => `site/00000${i + 1}.dcm`));
    expect(kills).toBe(WORKER_KILLS);
    expect(temporalRestarts).toBe(1);
  }, 2 * SETTLE_DEADLINE_MS + 180_000);
});
