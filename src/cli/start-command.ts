import { once } from 'node:events';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createApiServer } from '../api/server';
import { connectClient } from '../client/connect-client';
import { loadConfig } from '../config/load-config';
import { createWorker } from '../workers/create-worker';
import { openServices } from '../workers/services';
import { defaultTemporalCli, startDevServer } from '../workers/temporal-dev-server';
import { ensureSiteAdmin, issueToken, principalFromHeader } from '../auth/accounts';
import type { Repositories } from '../db/repositories';
import { resolveCliToken, saveCliToken } from './credentials';
import { loadDemo } from './demo-data';

/** `dicom-intake start`: the whole embedded stack in one process tree, then the demo data. */
export async function runStart(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write('Usage: dicom-intake start [--no-demo]\nStarts the Temporal dev server (with Web UI), the worker and the HTTP API from temporal-dev.yaml,\nloads the demo project and session, and runs until Ctrl-C. A second start reuses the data folder.\n');
    return 0;
  }
  const config = loadConfig();
  const [ip, port] = config.temporal.address.split(':');
  const say = (s: string) => process.stdout.write(`${s}\n`);

  say(`starting the Temporal dev server on ${config.temporal.address} (data: ${config.temporal.dbFile})...`);
  const temporal = await startDevServer({
    cli: defaultTemporalCli(),
    ip,
    port: Number(port),
    namespace: config.temporal.namespace,
    dbFile: config.temporal.dbFile,
    uiPort: config.temporal.uiPort,
    searchAttributes: config.temporal.searchAttributes,
    logLevel: 'error',
  });
  const services = await openServices(config);
  // Nothing is open by default: the first start creates the site admin and shows its password once.
  const admin = await ensureSiteAdmin(services.repos);
  if (admin) saveCliToken(config.dataDir, admin.token);
  const cliToken = await ensureCliToken(services.repos, config.dataDir);
  // Ctrl-C is handled here, in one place, so that the stack stops in order: API, worker, Temporal, database.
  // The SDK's own INFO lines (bundling, state changes) would bury the summary; warnings and errors still show.
  Runtime.install({ shutdownSignals: [], logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  say('starting the worker (bundling the workflow code)...');
  const worker = await createWorker({ connection, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, deps: services.activityDeps });
  const workerRun = worker.run();
  const client = await connectClient(config.temporal);
  const server = createApiServer({
    db: services.db,
    repos: services.repos,
    store: services.store,
    client,
    taskQueue: config.temporal.taskQueue,
    uploadMaxBytes: config.limits.uploadMaxBytes,
    siteAnonEnabled: config.anonymization.siteEnabled,
    editSettings: { rerunProjectAnon: config.anonymization.rerunProjectAnonOnRename, retentionSeconds: config.edits.versionRetentionSeconds },
    temporalUiUrl: `http://${ip}:${config.temporal.uiPort}/namespaces/${config.temporal.namespace}`,
  });
  server.listen(config.http.port, config.http.host);
  await once(server, 'listening');
  const apiUrl = `http://${config.http.host}:${config.http.port}`;

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    say('\nstopping...');
    server.close();
    worker.shutdown();
    await workerRun.catch(() => undefined);
    await connection.close();
    await client.connection.close();
    await temporal.stop();
    await services.close();
    say('stopped.');
  };
  const stopped = new Promise<void>((resolve) => {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void stop().then(resolve));
  });

  let demoUrl: string | undefined;
  if (!argv.includes('--no-demo')) {
    try {
      demoUrl = await loadDemo(apiUrl, cliToken, services.repos);
    } catch (err) {
      say(`the demo data could not be loaded: ${(err as Error).message}`);
    }
  }
  say('');
  say('dicom-intake is running:');
  say(`  HTTP API          ${apiUrl}   (health: ${apiUrl}/health)`);
  say(`  Temporal Web UI   http://${ip}:${config.temporal.uiPort}/namespaces/${config.temporal.namespace}/workflows`);
  if (demoUrl) say(`  demo session      ${apiUrl}${demoUrl}`);
  say(`  data folder       ${config.dataDir}`);
  if (admin) {
    say(`  sign in           user ${admin.login}, password ${admin.password}  (shown this once; change it or keep it safe)`);
  }
  say(`  CLI token         ${config.dataDir}/cli-token  (used by dicom-intake commands on this machine)`);
  say('Press Ctrl-C to stop.');
  await stopped;
  return 0;
}

/**
 * The token the local CLI and the demo loader use: the saved one while it is valid, else a new one for the `admin`
 * site admin (the operator running `start` owns the data folder, so may mint it).
 */
async function ensureCliToken(repos: Repositories, dataDir: string): Promise<string> {
  const saved = resolveCliToken(undefined, dataDir, {});
  if (saved && (await principalFromHeader(repos, `Bearer ${saved}`))) return saved;
  const admin = await repos.users.byLogin('admin');
  if (!admin?.siteAdmin) throw new Error(`no valid CLI token in ${dataDir}/cli-token and no site admin "admin"; create a token (POST /api/tokens) and save it there`);
  const { token } = await issueToken(repos, admin.id);
  saveCliToken(dataDir, token);
  return token;
}
