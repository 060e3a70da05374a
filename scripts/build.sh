#!/usr/bin/env bash
# Bundles the offline commands (anonymize, verify, script) into one JavaScript file each in dist/, with esbuild (a
# dependency of tsx), so that bin/dicom-intake.js starts them without tsx and without resolving and compiling some
# seventy modules: one file to read and compile, a third of the start-up it replaces. Type checking is `npm run
# typecheck`'s job. The stamp dist/.built tells the launcher the build is current; any later change under src/ makes
# it fall back to tsx.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf dist
npx esbuild src/cli/anonymize-command.ts src/cli/verify-command.ts src/cli/script-command.ts src/cli/anonymize-worker.ts \
  --bundle --platform=node --target=node20 --format=cjs --outdir=dist --log-level=warning
touch dist/.built
