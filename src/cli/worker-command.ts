import { NativeConnection } from '@temporalio/worker';
import { createDataConverter } from '../codec/data-converter';
import { loadConfig } from '../config/load-config';
import { stagingKeyWarning } from '../config/staging-warning';
import { createLogger } from '../logging/logger';
import { installTemporalLogging } from '../logging/temporal-logging';
import { createWorker } from '../workers/create-worker';
import { openServices } from '../workers/services';

const USAGE = `Usage: dicom-intake worker [--workflow-bundle FILE]
Runs a worker on the configured task queue (temporal.taskQueue) until SIGINT/SIGTERM, against the configured
Temporal server and database. It needs the same payload codec keys as the rest of the deployment.

  --workflow-bundle FILE   use workflow code bundled beforehand (bundleWorkflowCode) instead of bundling the
                           sources at start; makes restarts fast (tests, many workers)

Examples:
  dicom-intake worker
  DICOM_INTAKE_TEMPORAL_ADDRESS=temporal.internal:7233 DICOM_INTAKE_CODEC_KEYS=k1=... dicom-intake worker
`;

/** `dicom-intake worker`: one worker process against the configured Temporal server and database. */
export async function runWorker(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const bundleAt = argv.indexOf('--workflow-bundle');
  const bundle = bundleAt >= 0 ? argv[bundleAt + 1] : undefined;
  if (bundleAt >= 0 && !bundle) {
    process.stderr.write(`dicom-intake worker: --workflow-bundle needs a file\n\n${USAGE}`);
    return 2;
  }
  const config = loadConfig();
  // Built first: missing codec keys stop the worker before it polls (it could not read any task otherwise).
  const dataConverter = createDataConverter(config.temporal.codec);
  installTemporalLogging(createLogger({ level: config.log.level, name: 'worker' }));
  const plaintextStaging = stagingKeyWarning(config);
  if (plaintextStaging) process.stderr.write(`warning: ${plaintextStaging}\n`);
  const services = await openServices(config);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await createWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    deps: services.activityDeps,
    dataConverter,
    ...(bundle && { workflows: { workflowBundle: { codePath: bundle } } }),
  });
  process.stderr.write(`worker polling task queue ${config.temporal.taskQueue} on ${config.temporal.address}\n`);
  await worker.run(); // returns after SIGINT/SIGTERM (the SDK's runtime installs the handlers)
  await connection.close();
  await services.close();
  return 0;
}
