// Bundles the workflow code as the worker would. A Node built-in or non-workflow package imported (even
// transitively) from src/workflows fails here, in CI, instead of in a running worker.
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_BUNDLE_OPTIONS } from '../src/workers/workflows-path';

async function main() {
  const started = Date.now();
  const { code } = await bundleWorkflowCode({ ...WORKFLOW_BUNDLE_OPTIONS, logger: { info() {}, warn() {}, debug() {}, trace() {}, error: console.error, log() {} } as never });
  console.log(`workflow bundle ok: ${(code.length / 1024).toFixed(0)} KB in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
