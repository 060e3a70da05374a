import { once } from 'node:events';
import { NativeConnection } from '@temporalio/worker';
import { codecRouteSettings, createApiServer, httpLimits, webSessionSettings } from '../api/server';
import { connectClient } from '../client/connect-client';
import { createDataConverter, createPayloadCodec } from '../codec/data-converter';
import { ensureKeyring } from '../codec/keyring';
import { receiverLimits } from '../scp/receiver';
import { ReceiverManager } from '../scp/receiver-manager';
import { stagingKeyWarning } from '../config/staging-warning';
import { loadConfig } from '../config/load-config';
import { startConsoleLevel } from './start-console';
import { createLogger } from '../logging/logger';
import { installTemporalLogging } from '../logging/temporal-logging';
import { createWorker } from '../workers/create-worker';
import { openServices } from '../workers/services';
import { defaultTemporalCli, startDevServer } from '../workers/temporal-dev-server';
import { ensureSiteAdmin, issueToken, principalFromHeader } from '../auth/accounts';
import type { Repositories } from '../db/repositories';
import { resolveCliToken, saveCliToken } from './credentials';
import { loadDemo } from './demo-data';

const START_HELP = `Usage: dicom-intake start [--no-demo]
Starts the Temporal dev server (with Web UI), the worker, the HTTP API and the DICOM C-STORE receivers from
temporal-dev.yaml, loads the demo project and session, and runs until Ctrl-C. A second start reuses the data
folder. The first start creates the site admin (its password is shown once), a CLI token and the payload
encryption keyring in the data folder; the Web UI decodes payloads through the API's /codec endpoint.

Options:
  --no-demo   do not load the demo project and session

Examples:
  dicom-intake start
  dicom-intake start --no-demo
  DICOM_INTAKE_HTTP_PORT=9080 DICOM_INTAKE_LOG_LEVEL=info dicom-intake start
  DICOM_INTAKE_LOG_FILE=.data/dicom-intake.log dicom-intake start

Logs: the console shows warnings and errors only (JSON lines on stderr) after the start summary;
DICOM_INTAKE_LOG_LEVEL=info shows every request and activity. DICOM_INTAKE_LOG_FILE (log.file) keeps a JSON log
at log.level (info by default) as well.
`;


/** `dicom-intake start`: the whole embedded stack in one process tree, then the demo data. */
export async function runStart(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(START_HELP);
    return 0;
  }
  const config = loadConfig();
  const [ip, port] = config.temporal.address.split(':');
  const say = (s: string) => process.stdout.write(`${s}\n`);
  const logger = createLogger({ level: startConsoleLevel(config, process.env), name: 'dicom-intake', file: config.log.file ? { path: config.log.file, level: config.log.level } : undefined });
  const plaintextStaging = stagingKeyWarning(config);
  if (plaintextStaging) process.stderr.write(`warning: ${plaintextStaging}\n`);
  // First start of the embedded stack: create the payload keyring in the data folder (kept across restarts).
  if (ensureKeyring(config.temporal.codec).created) say(`created the payload encryption keyring ${config.temporal.codec.keyringFile} (back it up: history is unreadable without it)`);
  // A wildcard bind address is not something a browser (the Web UI calling /codec) or a person can open.
  const apiHost = ['0.0.0.0', '::'].includes(config.http.host) ? '127.0.0.1' : config.http.host;
  const apiUrl = `http://${apiHost}:${config.http.port}`;

  say(`starting the Temporal dev server on ${config.temporal.address} (data: ${config.temporal.dbFile})...`);
  const temporal = await startDevServer({
    cli: defaultTemporalCli(),
    ip,
    port: Number(port),
    namespace: config.temporal.namespace,
    dbFile: config.temporal.dbFile,
    uiPort: config.temporal.uiPort,
    // The browser running the Web UI calls this to decode payloads (CORS allows the UI origin).
    uiCodecEndpoint: `${apiUrl}/codec`,
    searchAttributes: config.temporal.searchAttributes,
    logLevel: 'error',
  });
  const services = await openServices(config);
  // Nothing is open by default: the first start creates the site admin and shows its password once.
  const admin = await ensureSiteAdmin(services.repos);
  if (admin) saveCliToken(config.dataDir, admin.token);
  const cliToken = await ensureCliToken(services.repos, config.dataDir);
  // Ctrl-C is handled here, in one place, so that the stack stops in order: API, worker, Temporal, database.
  // The SDK's lines (bundling, worker state, activity logs) go to the JSON log: on stderr at warn unless
  // DICOM_INTAKE_LOG_LEVEL says otherwise, and to log.file (if set) at log.level.
  installTemporalLogging(logger, { shutdownSignals: [] });
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  say('starting the worker (bundling the workflow code)...');
  const worker = await createWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    deps: services.activityDeps,
    dataConverter: createDataConverter(config.temporal.codec),
  });
  const workerRun = worker.run();
  const client = await connectClient(config.temporal);
  // The C-STORE receivers run beside the API in this process: both are front doors that write to staging and
  // start workflows; the worker may run elsewhere. The API changes them through the manager, without a restart.
  const receiverLog = (line: Record<string, unknown>) => {
    if (line.level === 'error' || line.level === 'warn') process.stderr.write(`${JSON.stringify(line)}\n`);
  };
  const receivers = new ReceiverManager({
    repos: services.repos,
    store: services.store,
    client,
    taskQueue: config.temporal.taskQueue,
    siteAnonEnabled: config.anonymization.siteEnabled,
    limits: receiverLimits(config),
    log: receiverLog,
    sessionIdleSeconds: config.dicom.sessionIdleSeconds,
  });
  const server = createApiServer({
    db: services.db,
    repos: services.repos,
    store: services.store,
    client,
    taskQueue: config.temporal.taskQueue,
    uploadMaxBytes: config.limits.uploadMaxBytes,
    siteAnonEnabled: config.anonymization.siteEnabled,
    editSettings: { rerunProjectAnon: config.anonymization.rerunProjectAnonOnRename, retentionSeconds: config.edits.versionRetentionSeconds },
    limits: httpLimits(config),
    temporalUiUrl: `http://${ip}:${config.temporal.uiPort}/namespaces/${config.temporal.namespace}`,
    codec: { codec: createPayloadCodec(config.temporal.codec), ...codecRouteSettings(config) },
    web: webSessionSettings(config),
    logger: logger.child({ name: 'api' }),
    receivers,
    sessionIdleSeconds: config.dicom.sessionIdleSeconds,
    siteRouting: config.dicom.routing,
  });
  server.listen(config.http.port, config.http.host);
  await once(server, 'listening');
  // temporal-dev.yaml seeds the receivers table (each id once); the table, changed through the API, is what runs.
  const { failed } = await receivers.startAll(config.receivers);
  // One receiver that cannot listen (port taken) must not take the rest of the stack down with it.
  for (const f of failed) say(`DICOM receiver ${f.id} did not start: ${f.message}`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    say('\nstopping...');
    server.close();
    await receivers.closeAll();
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
  say(`  codec endpoint    ${apiUrl}/codec   (the Web UI decodes encrypted payloads through it)`);
  if (demoUrl) say(`  demo session      ${apiUrl}${demoUrl}`);
  for (const r of receivers.list()) say(`  DICOM receiver    ${r.config.aeTitle} on ${r.config.host}:${r.port} -> ${r.config.destination}`);
  say(`  web pages         ${apiUrl}/ui   (sign in with the form)`);
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
