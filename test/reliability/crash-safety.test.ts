import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { freePort } from '../support/free-port';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { seededRandom } from '../factories/dicom-mutator';
import { studyZip } from '../factories/study-zip';
import { http, useToken } from '../support/http';
import { WorkerProcess } from '../support/worker-process';

// Bounded and seeded: CHAOS_SEED reproduces a run's schedule of kills. Loopback only; every wait has a deadline.
const SEED = Number(process.env.CHAOS_SEED ?? 20261130);
const UPLOADS = 10;
const FILES_PER_UPLOAD = 5;
const DUPLICATE_POSTS = 2;
const WORKER_KILLS = 6;
const TEMPORAL_RESTART_AFTER_KILL = 3;
const SETTLE_DEADLINE_MS = 300_000;

const SITE_SCRIPT = 'version "6.1"\n(0010,0010) := subject\n(0010,0020) := session\n-(0010,0030)\n';
const PROJECT_SCRIPT = 'version "6.1"\n(0008,1030) := project\n(0008,0080) := "ANON INSTITUTE"\n';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


describe('crash safety: uploads while the worker is SIGKILLed and Temporal restarts', () => {
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

  it('When uploads run while the worker is killed at random and Temporal restarts once, then every one completes with nothing lost or doubled', async () => {
    expect((await http(baseUrl, 'PUT', '/data/projects/PC')).status).toBe(201);
    const site = JSON.parse((await http(baseUrl, 'PUT', '/xapi/anonymize/site', SITE_SCRIPT)).text).id;
    const project = JSON.parse((await http(baseUrl, 'PUT', '/data/config/edit/projects/PC/image/dicom/script', PROJECT_SCRIPT)).text).id;

    // All operations are posted first (the API needs Temporal up to start them); the kills then hit work in flight.
    const studies = await Promise.all(
      Array.from({ length: UPLOADS }, (_, i) => studyZip({ patientName: `Chaos^Patient${i}`, patientId: `CHAOS-${i}`, birthDate: '19400101' }, FILES_PER_UPLOAD)),
    );
    const post = async (i: number) => {
      const res = await http(baseUrl, 'POST', `/api/uploads?import-handler=DICOM-zip&inbody=true&dest=/archive/projects/PC/subjects/S${i}/experiments/E${i}`, studies[i].zip, 'application/zip');
      expect(res.status).toBe(202);
      return JSON.parse(res.text).uploadId as string;
    };
    const uploadIds: string[] = [];
    for (let i = 0; i < UPLOADS; i++) uploadIds.push(await post(i));
    for (let i = 0; i < DUPLICATE_POSTS; i++) uploadIds.push(await post(i));

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
    // Settle: wait for every upload to end, restarting the worker if it died on its own.
    const deadline = Date.now() + SETTLE_DEADLINE_MS;
    const statuses = new Map<string, string>();
    while (statuses.size < uploadIds.length && Date.now() < deadline) {
      if (!worker.running) {
        await worker.start();
        workerStarts++;
      }
      for (const id of uploadIds) {
        if (statuses.has(id)) continue;
        const upload = await services.repos.uploads.get(id);
        if (upload && (upload.status === 'ARCHIVED' || upload.status === 'ERROR')) statuses.set(id, upload.status);
      }
      await sleep(500);
    }
    expect([...statuses.values()].filter((s) => s !== 'ARCHIVED'), 'every upload archived').toEqual([]);
    expect(statuses.size).toBe(uploadIds.length);

    // Nothing lost, nothing doubled: each session holds its instances once, each file carries each pass once.
    let lost = 0;
    let duplicated = 0;
    const catalog: string[] = [];
    for (let i = 0; i < UPLOADS; i++) {
      const session = await services.repos.archive.sessionByLabel('PC', `E${i}`);
      const instances = session ? await services.repos.archive.instances(session.id) : [];
      lost += Math.max(0, FILES_PER_UPLOAD - instances.length);
      duplicated += Math.max(0, instances.length - FILES_PER_UPLOAD);
      for (const instance of instances) {
        catalog.push(instance.objectKey);
        const codes = (await openDicom(services.store.path(instance.objectKey))).getDeidentificationMethodCodes();
        if (codes.length > 2) duplicated++;
        expect(codes).toEqual([String(site), String(project)]);
        expect((await services.store.digest(instance.objectKey)).sha256).toBe(instance.contentSha256);
      }
    }
    // Evidence that the kills hit work in flight: activities that completed on a later attempt (retried attempts
    // are not events of their own; the started event of the last one carries its number).
    const client = new Client({ connection, namespace: 'default', dataConverter }); // memos are encrypted
    let interrupted = 0;
    for await (const execution of client.workflow.list({ query: `TaskQueue = '${worker.taskQueue}'` })) {
      const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
      interrupted += history.events?.filter((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1).length ?? 0;
    }
    const passes = await services.db('anonymization_passes').select('kind');
    const archived = await services.store.list('archive/PC');
    process.stdout.write(
      `crash-safety: settled ${((Date.now() - chaosEnded) / 1000).toFixed(0)} s after the last kill; operations ${uploadIds.length}, worker kills ${kills}, worker starts ${workerStarts}, ` +
        `unexpected worker exits ${worker.unexpectedExits}, temporal restarts ${temporalRestarts}, activities retried ${interrupted}, lost ${lost}, duplicated ${duplicated}\n`,
    );
    expect({ lost, duplicated }).toEqual({ lost: 0, duplicated: 0 });
    expect(interrupted, 'the kills interrupted activities in flight (else this test proves nothing)').toBeGreaterThan(0);
    expect(passes.filter((p) => p.kind === 'site')).toHaveLength(UPLOADS * FILES_PER_UPLOAD);
    expect(passes.filter((p) => p.kind === 'project')).toHaveLength(UPLOADS * FILES_PER_UPLOAD);
    // The database agrees with the files, and staging holds nothing orphaned.
    expect(archived.sort()).toEqual(catalog.sort());
    expect(archived).toHaveLength(UPLOADS * FILES_PER_UPLOAD);
    expect(await services.store.list('staging')).toEqual([]);
    expect(kills).toBe(WORKER_KILLS);
    expect(temporalRestarts).toBe(1);
  }, SETTLE_DEADLINE_MS + 180_000);
});
