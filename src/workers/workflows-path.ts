import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

// Kept apart from create-worker so that bundling (tests' global setup, CI) does not load the activities.
const dir = resolve(__dirname, '../workflows');

/** Path of the workflows entry module, for bundling: the TypeScript source, or the compiled file in dist/. */
export const WORKFLOWS_PATH = existsSync(resolve(dir, 'index.ts')) ? resolve(dir, 'index.ts') : resolve(dir, 'index.js');
