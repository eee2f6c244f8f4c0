#!/usr/bin/env bash
# Build (idempotently) the Python 3.10 virtual environment that holds the REAL
# feathr 1.0.0 client, used as a test oracle by tests/contract/.
#
#   FEATHR_VENV   where to build it (default: /work/main/.venv-feathr, i.e.
#                 <repo>/.venv-feathr)
#   FEATHR_PYTHON a Python 3.10 interpreter to use (default: autodetected)
#
# Exit status: 0 when the venv is ready OR when no Python 3.10 exists (then it
# prints "FEATHR_VENV_UNAVAILABLE: ..." and the pytest contract tests skip with
# that message). Non-zero only when an install actually failed.
#
# Why a separate venv: feathr 1.0.0 pins pyarrow<=9 (no cp311 wheels), so it
# does not install on the project's Python 3.11; it is also ~1 GB.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="${FEATHR_VENV:-$repo/.venv-feathr}"
stamp="$venv/.feathr-contract-ready"

# Pins. Bump STAMP_VERSION whenever this list changes so cached venvs rebuild.
STAMP_VERSION=2
PINS=(
  # The client under test: the version the registry image and this project target.
  "feathr==1.0.0"
  # feathr 1.0.0 pins pyarrow<=9.0.0, whose wheels are built against the numpy 1.x
  # ABI: with numpy 2 `import pyarrow` (and so pandas' arrow paths) crashes.
  "numpy<2"
)
# Everything else is left to the resolver on purpose: feathr 1.0.0 already caps what
# matters for FeathrClient construction and job submission (azure-core<=1.22.1, which
# drags azure-identity down to 1.14.x; redis<=4.4.0; databricks-cli<=0.17.3;
# requests<=2.28.1; msrest<=0.6.21; protobuf<=3.19.4). pyspark/pandas/deltalake are
# unbounded but are not imported by `import feathr`/FeathrClient(...). The exact set
# that was installed is written to $FEATHR_VENV/feathr-freeze.txt for reference.

find_python310() {
  if [[ -n "${FEATHR_PYTHON:-}" ]]; then
    # An explicit choice is final: no fallback to autodetection.
    if "$FEATHR_PYTHON" -c 'import sys; assert sys.version_info[:2]==(3,10)' >/dev/null 2>&1; then
      echo "$FEATHR_PYTHON"; return 0
    fi
    return 1
  fi
  local c
  for c in \
      "$HOME/.pyenv/versions/3.10.13/bin/python3.10" \
      "$HOME"/.pyenv/versions/3.10.*/bin/python3.10 \
      /usr/bin/python3.10 /usr/local/bin/python3.10; do
    if [[ -x "$c" ]] && "$c" -c 'import sys; assert sys.version_info[:2]==(3,10)' 2>/dev/null; then
      echo "$c"; return 0
    fi
  done
  # pyenv shim: plain python3.10 fails until PYENV_VERSION names a version.
  if command -v pyenv >/dev/null 2>&1; then
    local v
    v="$(pyenv versions --bare 2>/dev/null | grep -E '^3\.10\.[0-9]+$' | sort -V | tail -1 || true)"
    if [[ -n "$v" ]] && PYENV_VERSION="$v" python3.10 -c 'import sys; assert sys.version_info[:2]==(3,10)' 2>/dev/null; then
      PYENV_VERSION="$v" python3.10 -c 'import sys; print(sys.executable)'; return 0
    fi
  fi
  if command -v python3.10 >/dev/null 2>&1 && python3.10 -c 'import sys; assert sys.version_info[:2]==(3,10)' 2>/dev/null; then
    command -v python3.10; return 0
  fi
  return 1
}

mkdir -p "$(dirname "$venv")"
# Serialise concurrent builds (two pytest processes, or make + pytest).
# (lock outside the repo so it never shows up in git status)
exec 9>"${TMPDIR:-/tmp}/feathr-venv-$(printf '%s' "$venv" | md5sum | cut -c1-12).lock"
flock 9 2>/dev/null || true

if [[ -f "$stamp" ]] && [[ "$(cat "$stamp")" == "$STAMP_VERSION" ]] \
   && "$venv/bin/python" -c 'import feathr' >/dev/null 2>&1; then
  echo "FEATHR_VENV_READY: $venv (cached)"
  exit 0
fi

if ! py="$(find_python310)"; then
  echo "FEATHR_VENV_UNAVAILABLE: no Python 3.10 interpreter found (tried \$FEATHR_PYTHON, ~/.pyenv/versions/3.10.*, pyenv, python3.10); feathr==1.0.0 needs Python 3.10 (it does not install on 3.11)."
  exit 0
fi

echo "building feathr venv at $venv with $py (about 1 GB, 1-2 minutes)" >&2
rm -rf "$venv"
"$py" -m venv "$venv"
log="$venv/pip-install.log"
if ! "$venv/bin/python" -m pip install --disable-pip-version-check "${PINS[@]}" >"$log" 2>&1; then
  echo "pip install of ${PINS[*]} failed; last lines of $log:" >&2
  tail -30 "$log" >&2
  exit 1
fi
"$venv/bin/python" -c 'import feathr; from feathr import FeathrClient; assert feathr.__version__ == "1.0.0", feathr.__version__'
"$venv/bin/python" -m pip freeze --disable-pip-version-check > "$venv/feathr-freeze.txt" 2>/dev/null
echo "$STAMP_VERSION" > "$stamp"
echo "FEATHR_VENV_READY: $venv"
