import { NativeConnection } from '@temporalio/worker';
import { createDataConverter } from '../codec/data-converter';
import { loadConfig } from '../config/load-config';
import { createLogger } from '../logging/logger';
import { installTemporalLogging } from '../logging/temporal-logging';
import { createWorker } from '../workers/create-worker';
import { openServices } from '../workers/services';

const WORKER_HELP = `Usage: dicom-intake worker
Runs a worker on the configured task queue (temporal.taskQueue) until SIGINT/SIGTERM, against the configured
Temporal server and database. It needs the same payload codec keys as the rest of the deployment.

Examples:
  dicom-intake worker
  DICOM_INTAKE_TEMPORAL_ADDRESS=temporal.internal:7233 DICOM_INTAKE_CODEC_KEYS=k1=... dicom-intake worker
`;

/** `dicom-intake worker`: one worker process against the configured Temporal server and database. */
export async function runWorker(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(WORKER_HELP);
    return 0;
  }
  const config = loadConfig();
  // Built first: missing codec keys stop the worker before it polls (it could not read any task otherwise).
  const dataConverter = createDataConverter(config.temporal.codec);
  installTemporalLogging(createLogger({ level: config.log.level, name: 'worker' }));
  const services = await openServices(config);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await createWorker({ connection, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, deps: services.activityDeps, dataConverter });
  process.stderr.write(`worker polling task queue ${config.temporal.taskQueue} on ${config.temporal.address}\n`);
  await worker.run(); // returns after SIGINT/SIGTERM (the SDK's runtime installs the handlers)
  await connection.close();
  await services.close();
  return 0;
}
