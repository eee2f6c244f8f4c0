#!/usr/bin/env bash
# Runs a command while keeping the az CLI's federated GitHub OIDC login fresh (GitHub Actions only).
#
# Why: GitHub's OIDC ID token lives about 5 minutes (Azure/login#441). azure/login hands it to
# `az login --federated-token` once (Azure/login src/Cli/AzureCliLogin.ts), and az cannot get new
# access tokens with it once it has expired (AADSTS700024, Azure/azure-cli#28708). Everything that
# asks az for a token later fails: the azblob state backend and the azurekeyvault secrets provider
# (DefaultAzureCredential falls back to the az CLI) and the program's local commands
# (infra/components/synapse_roles.sh, infra/components/approve_private_endpoints.sh).
# So every AZURE_LOGIN_REFRESH_SECONDS (default 240) this requests a new ID token the way
# azure/login does (GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=api%3A%2F%2FAzureADTokenExchange
# with the bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN) and logs az in again with it.
#
# Usage: scripts/azure-login-refresh.sh <command> [args...]
# Needs: job permission `id-token: write`; ARM_CLIENT_ID, ARM_TENANT_ID, ARM_SUBSCRIPTION_ID;
#        curl, python3 and az on PATH. Exits with the command's exit status.
set -euo pipefail

readonly SCRIPT_NAME="${0##*/}"
readonly AUDIENCE_QUERY="audience=api%3A%2F%2FAzureADTokenExchange" # api://AzureADTokenExchange
interval="${AZURE_LOGIN_REFRESH_SECONDS:-240}"

die() {
  printf '%s: error: %s\n' "$SCRIPT_NAME" "$*" >&2
  exit 2
}

(($# > 0)) || die "usage: $SCRIPT_NAME <command> [args...]"
[[ "$interval" =~ ^[1-9][0-9]*$ ]] || die "AZURE_LOGIN_REFRESH_SECONDS '$interval': a whole number of seconds"
for var in ACTIONS_ID_TOKEN_REQUEST_URL ACTIONS_ID_TOKEN_REQUEST_TOKEN ARM_CLIENT_ID ARM_TENANT_ID ARM_SUBSCRIPTION_ID; do
  [[ -n "${!var:-}" ]] || die "$var is not set (the job needs 'permissions: id-token: write' and the ARM_* variables)"
done

login() {
  local token
  token="$(curl --silent --show-error --fail --retry 3 \
    --header "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" \
    "$ACTIONS_ID_TOKEN_REQUEST_URL&$AUDIENCE_QUERY" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["value"])')" || return 1
  [[ -n "$token" ]] || return 1
  # Keep the token out of the log, as core.getIDToken does.
  if [[ "${GITHUB_ACTIONS:-}" == true ]]; then
    printf '::add-mask::%s\n' "$token"
  fi
  az login --service-principal --username "$ARM_CLIENT_ID" --tenant "$ARM_TENANT_ID" \
    --federated-token "$token" --output none --only-show-errors || return 1
  az account set --subscription "$ARM_SUBSCRIPTION_ID" --only-show-errors || return 1
}

refresh_loop() {
  while sleep "$interval"; do
    if login; then
      printf '%s: az login refreshed with a new federated token\n' "$SCRIPT_NAME" >&2
    else
      printf '::warning::%s: refreshing the az login failed; retrying in 30 s\n' "$SCRIPT_NAME" >&2
      sleep 30
      login || printf '::warning::%s: refreshing the az login failed again\n' "$SCRIPT_NAME" >&2
    fi
  done
}

login || die "could not log az in with a federated token"
refresh_loop &
loop_pid=$!
trap 'kill "$loop_pid" 2>/dev/null || true' EXIT

status=0
"$@" || status=$?
exit "$status"
