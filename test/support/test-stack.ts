import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { createApiServer } from '../../src/api/server';
import { ensureSiteAdmin } from '../../src/auth/accounts';
import { useToken } from './http';
import { loadConfig, type Config } from '../../src/config/load-config';
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
  /** Points where the next call throws once (fault injection); tests add names to it. */
  faults: Set<string>;
  /** Names of the fault points that fired. */
  fired: string[];
  stop(): Promise<void>;
}

/** Starts a test stack against the run's shared Temporal dev server. */
export async function startTestStack(env: Record<string, string> = {}): Promise<TestStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dicom-intake-test-'));
  const address = inject('temporalAddress');
  const config = loadConfig({
    ...process.env,
    DICOM_INTAKE_DATA_DIR: dataDir,
    DICOM_INTAKE_DATABASE_URL: `sqlite://${join(dataDir, 'db.sqlite')}`,
    DICOM_INTAKE_TEMPORAL_ADDRESS: address,
    ...env,
  });
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
    workflows: { workflowBundle: { codePath: inject('workflowBundlePath') } },
  });
  const workerRun = worker.run();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: 'default' });
  const server: Server = createApiServer({
    db: services.db,
    repos: services.repos,
    store: services.store,
    client,
    taskQueue,
    uploadMaxBytes: config.limits.uploadMaxBytes,
    siteAnonEnabled: config.anonymization.siteEnabled,
    editSettings: { rerunProjectAnon: config.anonymization.rerunProjectAnonOnRename, retentionSeconds: config.edits.versionRetentionSeconds },
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
    faults,
    fired,
    async stop() {
      server.close();
      worker.shutdown();
      await workerRun;
      await nativeConnection.close();
      await connection.close();
      await services.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
