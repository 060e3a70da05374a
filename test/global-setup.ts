import { mkdirSync, writeFileSync } from 'node:fs';
import { freePort } from './support/free-port';
import { resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { formatKeyList, newCodecKey } from '../src/codec/keyring';
import { loadConfig } from '../src/config/load-config';
import { WORKFLOW_BUNDLE_OPTIONS } from '../src/workers/workflows-path';
import { defaultTemporalCli, startDevServer, type DevServer } from '../src/workers/temporal-dev-server';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalNamespace: string;
    workflowBundlePath: string;
    /** Payload codec keys of this run (DICOM_INTAKE_CODEC_KEYS format), shared by every test stack. */
    codecKeys: string;
  }
}


let server: DevServer | undefined;

/**
 * One real Temporal dev server for the whole run (in memory, headless, free loopback port), with the search
 * attributes of temporal-dev.yaml, waited for patiently; and one workflow bundle for every test file.
 */
export async function setup(project: TestProject): Promise<void> {
  const config = loadConfig();
  const started = Date.now();
  const port = await freePort();
  server = await startDevServer({
    cli: defaultTemporalCli(),
    ip: '127.0.0.1',
    port,
    namespace: 'default',
    searchAttributes: config.temporal.searchAttributes,
    readyTimeoutMs: 120_000,
    logLevel: 'error',
    stdio: 'quiet',
  });
  const bundle = await bundleWorkflowCode({ ...WORKFLOW_BUNDLE_OPTIONS, logger: quietLogger });
  const dir = resolve(__dirname, '../test-output');
  mkdirSync(dir, { recursive: true });
  const bundlePath = resolve(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  process.stderr.write(`[global-setup] Temporal dev server on ${server.address}, workflows bundled, in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  project.provide('temporalAddress', server.address);
  project.provide('temporalNamespace', 'default');
  project.provide('workflowBundlePath', bundlePath);
  // One key for the whole run: any test may list or read workflows another file started on the shared server.
  project.provide('codecKeys', formatKeyList([newCodecKey()]));
}

/** Stops only the server this run started. */
export async function teardown(): Promise<void> {
  await server?.stop();
}

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: (m: string) => console.error(m) };
