#!/usr/bin/env bash
# `npm start`: installs what is missing, then starts the whole embedded stack and loads the demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node bin/dicom-intake.js start "$@"
