import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { DestinationStream } from 'pino';
import { inject } from 'vitest';
import { codecRouteSettings, createApiServer, httpLimits, webSessionSettings } from '../../src/api/server';
import { ensureSiteAdmin } from '../../src/auth/accounts';
import { useToken } from './http';
import { connectClient } from '../../src/client/connect-client';
import { createDataConverter, createPayloadCodec } from '../../src/codec/data-converter';
import { loadConfig, type Config } from '../../src/config/load-config';
import { createLogger, type Logger } from '../../src/logging/logger';
import { installTemporalLogging } from '../../src/logging/temporal-logging';
import { receiverLimits } from '../../src/scp/receiver';
import { ReceiverManager } from '../../src/scp/receiver-manager';
import { createWorker } from '../../src/workers/create-worker';
import { openServices, type Services } from '../../src/workers/services';

/** A whole stack for one test file: temp data folder and SQLite file, a worker on a unique task queue, the HTTP API. */
export interface TestStack extends Services {
  config: Config;
  client: Client;
  taskQueue: string;
  baseUrl: string;
  dataDir: string;
  /** The site admin's API token; `http()` signs in with it. */
  adminToken: string;
  /** The site admin's password (login `admin`), for the pages' sign-in form. */
  adminPassword: string;
  /** The service's data converter (codec + encoded failures), as given to the worker and client: use it to replay. */
  dataConverter: DataConverter;
  /** The payload codec alone, to decode raw history in tests. */
  codec: PayloadCodec;
  /** The prebuilt workflow bundle of the run (replay needs it with the data converter). */
  workflowBundle: { codePath: string };
  /** What `Worker.runReplayHistory` needs to replay this stack's (encrypted) histories. */
  replayOptions: { workflowBundle: { codePath: string }; dataConverter: DataConverter };
  logger: Logger;
  /** Points where the next call throws once (fault injection); tests add names to it. */
  faults: Set<string>;
  /** Names of the fault points that fired. */
  fired: string[];
  /** The receivers the API creates and changes (none run until a test creates one). */
  receivers: ReceiverManager;
  /** Lines the receivers logged (association refusals, …). */
  receiverLog: Record<string, unknown>[];
  stop(): Promise<void>;
}

/**
 * The run's data converter without a whole stack: for a TestWorkflowEnvironment (`client: { dataConverter }`), a
 * worker made with createWorker, or `Worker.runReplayHistory({ workflowBundle, dataConverter }, …)`.
 */
export function testDataConverter(): DataConverter {
  return createDataConverter(loadConfig({ ...process.env, DICOM_INTAKE_CODEC_KEYS: inject('codecKeys') }).temporal.codec);
}

/**
 * Starts a test stack against the run's shared Temporal dev server. It encrypts with the run's codec keys and logs
 * at warn level (DICOM_INTAKE_LOG_LEVEL overrides), so worker state INFO lines stay out of test output.
 */
export async function startTestStack(env: Record<string, string> = {}, opts: { logDestination?: DestinationStream } = {}): Promise<TestStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dicom-intake-test-'));
  const address = inject('temporalAddress');
  const config = loadConfig({
    DICOM_INTAKE_CODEC_KEYS: inject('codecKeys'),
    DICOM_INTAKE_LOG_LEVEL: 'warn',
    ...process.env,
    DICOM_INTAKE_DATA_DIR: dataDir,
    DICOM_INTAKE_DATABASE_URL: `sqlite://${join(dataDir, 'db.sqlite')}`,
    DICOM_INTAKE_TEMPORAL_ADDRESS: address,
    ...env,
  });
  const logger = createLogger({ level: config.log.level, name: 'test', destination: opts.logDestination });
  // Once per test file (one fork, one Runtime): later stacks in the same file reuse it.
  installTemporalLogging(logger);
  const dataConverter = createDataConverter(config.temporal.codec);
  const codec = createPayloadCodec(config.temporal.codec);
  const workflowBundle = { codePath: inject('workflowBundlePath') };
  const faults = new Set<string>();
  const fired: string[] = [];
  const services = await openServices(config, {
    faultPoint: (point) => {
      if (faults.delete(point)) {
        fired.push(point);
        throw new Error(`injected fault at ${point}`);
      }
    },
  });
  const taskQueue = `test-${randomUUID()}`;
  const nativeConnection = await NativeConnection.connect({ address });
  const worker: Worker = await createWorker({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    deps: services.activityDeps,
    dataConverter,
    workflows: { workflowBundle },
  });
  const workerRun = worker.run();
  // The same client every entry point builds (connectClient), with the data converter from the same config.
  const client = await connectClient(config.temporal);
  const connection = client.connection;
  const receiverLog: Record<string, unknown>[] = [];
  const receivers = new ReceiverManager({
    repos: services.repos,
    store: services.store,
    client,
    taskQueue,
    siteAnonEnabled: config.anonymization.siteEnabled,
    limits: receiverLimits(config),
    signalIntervalMs: 200,
    log: (line) => receiverLog.push(line),
    sessionIdleSeconds: config.dicom.sessionIdleSeconds,
    graceMs: 20_000,
  });
  const server: Server = createApiServer({
    db: services.db,
    repos: services.repos,
    store: services.store,
    client,
    taskQueue,
    uploadMaxBytes: config.limits.uploadMaxBytes,
    siteAnonEnabled: config.anonymization.siteEnabled,
    editSettings: { rerunProjectAnon: config.anonymization.rerunProjectAnonOnRename, retentionSeconds: config.edits.versionRetentionSeconds },
    limits: httpLimits(config),
    codec: { codec, ...codecRouteSettings(config) },
    web: webSessionSettings(config),
    logger: logger.child({ name: 'api' }),
    receivers,
    sessionIdleSeconds: config.dicom.sessionIdleSeconds,
    siteRouting: config.dicom.routing,
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const baseUrl = `http://127.0.0.1:${port}`;
  const admin = await ensureSiteAdmin(services.repos);
  useToken(baseUrl, admin!.token);
  return {
    ...services,
    config,
    client,
    taskQueue,
    baseUrl,
    dataDir,
    adminToken: admin!.token,
    adminPassword: admin!.password,
    dataConverter,
    codec,
    workflowBundle,
    replayOptions: { workflowBundle, dataConverter },
    logger,
    faults,
    fired,
    receivers,
    receiverLog,
    async stop() {
      server.close();
      await receivers.closeAll();
      worker.shutdown();
      await workerRun;
      await nativeConnection.close();
      await connection.close();
      await services.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
