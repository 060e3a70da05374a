#!/usr/bin/env bash
# Compiles src/ to dist/ so that bin/dicom-intake.js can start the offline commands without tsx. The stamp
# dist/.built tells the launcher the build is current; any later change under src/ makes it fall back to tsx.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.build.json
touch dist/.built
