#!/usr/bin/env bash
# `npm test`: installs what is missing, then type-checks, lints, bundles the workflows (a forbidden import in
# workflow code fails here) and runs the whole vitest suite against a real Temporal dev server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== typecheck" && npx tsc --noEmit -p .
echo "== lint" && npx eslint .
echo "== workflow bundle" && npx tsx scripts/bundle-workflows.ts
echo "== tests" && npx vitest run "$@"
