import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../config/load-config';
import { createWorker } from '../workers/create-worker';
import { openServices } from '../workers/services';

/** `dicom-intake worker`: one worker process against the configured Temporal server and database. */
export async function runWorker(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write('Usage: dicom-intake worker\nRuns a worker on the configured task queue until SIGINT/SIGTERM.\n');
    return 0;
  }
  const config = loadConfig();
  const services = await openServices(config);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await createWorker({ connection, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, deps: services.activityDeps });
  process.stderr.write(`worker polling task queue ${config.temporal.taskQueue} on ${config.temporal.address}\n`);
  await worker.run(); // returns after SIGINT/SIGTERM (the SDK's runtime installs the handlers)
  await connection.close();
  await services.close();
  return 0;
}
