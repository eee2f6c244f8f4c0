#!/usr/bin/env bash
# One Pulumi operation of the pipelines, the same on GitHub Actions and Azure DevOps.
#
#   scripts/pulumi-ci.sh preview <stack> [--production]   pulumi preview --refresh --diff, policy pack
#   scripts/pulumi-ci.sh up      <stack> [--production]   pulumi up --refresh --diff --yes, policy pack
#   scripts/pulumi-ci.sh drift   <stack>                  pulumi refresh --preview-only --expect-no-changes:
#                                                         fails when the cloud no longer matches the state
#
# --production: the policy pack gets policy/pipeline_config.py's config (--policy-pack-config), so
#   the production policies apply whatever `productionLike` the stack file says.
# The output also goes to a markdown report ($PULUMI_CI_REPORT, default pulumi-<op>-<stack>.md),
# appended to the GitHub job summary when $GITHUB_STEP_SUMMARY is set. Exits with Pulumi's status.
#
# Needs: PULUMI_BACKEND_URL; a logged-in az CLI (the backend and the Key Vault secrets provider
# authenticate through DefaultAzureCredential, which falls back to it); `pulumi install` done
# before, in the repository and in policy/ (no network needed here apart from Azure).
set -euo pipefail

readonly SCRIPT_NAME="${0##*/}"
die() {
  printf '%s: error: %s\n' "$SCRIPT_NAME" "$*" >&2
  exit 2
}

(($# >= 2)) || die "usage: $SCRIPT_NAME preview|up|drift <stack> [--production]"
op="$1"
stack="$2"
shift 2
production=false
while (($# > 0)); do
  case "$1" in
    --production) production=true ;;
    *) die "unknown option: $1" ;;
  esac
  shift
done
[[ "$stack" =~ ^[a-zA-Z0-9._-]+$ ]] || die "stack '$stack': letters, digits, '.', '_' or '-'"
[[ -n "${PULUMI_BACKEND_URL:-}" ]] || die "PULUMI_BACKEND_URL is not set"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
commit="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
report="${PULUMI_CI_REPORT:-pulumi-$op-$stack.md}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

policy_args=(--policy-pack policy)
if [[ "$production" == true ]]; then
  # policy/venv is the pack's own virtualenv (`pulumi install` in policy/); POLICY_PYTHON for tests.
  "${POLICY_PYTHON:-policy/venv/bin/python}" policy/pipeline_config.py >"$tmp/policy-config.json" ||
    die "could not write the production policy config (run 'pulumi install' in policy/ first)"
  policy_args+=(--policy-pack-config "$tmp/policy-config.json")
fi
common=(--stack "$stack" --non-interactive --color never)

case "$op" in
  preview) cmd=(pulumi preview "${common[@]}" "${policy_args[@]}" --refresh --diff) ;;
  up) cmd=(pulumi up "${common[@]}" "${policy_args[@]}" --refresh --diff --yes
    --message "deploy $commit${DEPLOY_RUN:+ ($DEPLOY_RUN)}") ;;
  drift)
    [[ "$production" == false ]] || die "drift takes no --production (refresh runs no policies)"
    cmd=(pulumi refresh "${common[@]}" --preview-only --expect-no-changes --diff)
    ;;
  *) die "unknown operation '$op': preview, up or drift" ;;
esac

pulumi login "$PULUMI_BACKEND_URL" >/dev/null
printf '+ %s\n' "${cmd[*]}" >&2
status=0
"${cmd[@]}" 2>&1 | tee "$tmp/output.txt" || status=${PIPESTATUS[0]}

case "$op:$status" in
  drift:0) verdict="no drift: the cloud matches the state" ;;
  drift:*) verdict="DRIFT or error (exit $status): the cloud no longer matches the state, see below" ;;
  *:0) verdict="succeeded" ;;
  *) verdict="FAILED (exit $status)" ;;
esac
{
  tick='`'
  printf '### pulumi %s: stack %s%s%s at %s%s%s\n\n%s\n\n' "$op" "$tick" "$stack" "$tick" "$tick" "$commit" "$tick" "$verdict"
  printf '<details><summary>output</summary>\n\n```text\n'
  # A GitHub step summary holds at most 1 MiB: keep the end of a long output.
  tail -c 900000 "$tmp/output.txt"
  printf '\n```\n\n</details>\n'
} >"$report"
if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
  cat "$report" >>"$GITHUB_STEP_SUMMARY"
fi
exit "$status"
