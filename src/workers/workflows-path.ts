import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { FAILURE_CONVERTER_PATH } from '../codec/data-converter';

// Kept apart from create-worker so that bundling (tests' global setup, CI) does not load the activities.
const dir = resolve(__dirname, '../workflows');

/** Path of the workflows entry module, for bundling: the TypeScript source, or the compiled file in dist/. */
export const WORKFLOWS_PATH = existsSync(resolve(dir, 'index.ts')) ? resolve(dir, 'index.ts') : resolve(dir, 'index.js');

/**
 * What every workflow bundle is built with (worker, tests' global setup, CI check): the failure converter must be
 * compiled into the sandbox too, or failures raised by workflow code would reach the history in plaintext.
 */
export const WORKFLOW_BUNDLE_OPTIONS = { workflowsPath: WORKFLOWS_PATH, failureConverterPath: FAILURE_CONVERTER_PATH } as const;
