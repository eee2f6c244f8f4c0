#!/bin/bash
# Grant a principal the Purview "Data Curator" role on the root collection (a data-plane permission
# that ARM role assignments cannot express). Runs as an Azure deployment script (Azure CLI image)
# under a user-assigned identity that holds User Access Administrator on the Purview account.
#
# Idempotent: the principal is added only if the root collection's metadata policy lacks it, so a
# re-run changes nothing. Inputs (environment):
#   PURVIEW_ACCOUNT       account name (also the root collection's name)
#   PURVIEW_ACCOUNT_ID    ARM resource id of the account
#   ADMIN_PRINCIPAL_ID    object id of the identity this script runs as
#   CURATOR_PRINCIPAL_ID  object id of the principal that becomes Data Curator
set -euo pipefail

: "${PURVIEW_ACCOUNT:?}" "${PURVIEW_ACCOUNT_ID:?}" "${ADMIN_PRINCIPAL_ID:?}" "${CURATOR_PRINCIPAL_ID:?}"

arm_api="api-version=2021-07-01"
policy_api="api-version=2021-07-01-preview"
policystore="https://${PURVIEW_ACCOUNT}.purview.azure.com/policystore"
curator_rule_prefix="purviewmetadatarole_builtin_data-curator:"
attempts=30
pause=${RETRY_PAUSE_SECONDS:-20}
cd "$(mktemp -d)"

retry() { # retry <description> <command...>: role assignments and policies take minutes to propagate
  local what=$1; shift
  for attempt in $(seq 1 "$attempts"); do
    if "$@"; then return 0; fi
    echo "waiting for ${what} (attempt ${attempt}/${attempts})" >&2
    sleep "$pause"
  done
  echo "gave up: ${what}" >&2
  return 1
}

# 1. Make this script's identity a root collection admin: an ARM action that Owner or User Access
#    Administrator on the account may call. Adding an existing admin is a no-op.
add_admin() {
  az rest --method post \
    --url "https://management.azure.com${PURVIEW_ACCOUNT_ID}/addRootCollectionAdmin?${arm_api}" \
    --body "{\"objectId\": \"${ADMIN_PRINCIPAL_ID}\"}" --output none
}
retry "root collection admin rights" add_admin

# 2. Read the root collection's metadata policy (the data plane accepts us once step 1 propagated).
read_policies() {
  az rest --method get --resource "https://purview.azure.net" \
    --url "${policystore}/metadataPolicies?${policy_api}" > policies.json
}
retry "the Purview metadata policy API" read_policies

jq --arg collection "$PURVIEW_ACCOUNT" \
  '[.values[] | select((.properties.collection.referenceName | ascii_downcase) == ($collection | ascii_downcase))] | first // empty' \
  policies.json > policy.json
if [ ! -s policy.json ]; then
  echo "no metadata policy for root collection ${PURVIEW_ACCOUNT}" >&2
  exit 1
fi

# 3. Add the principal to the Data Curator rule unless it is there already.
# shellcheck disable=SC2016  # jq program, not shell
add_curator='
  def principal_condition: .attributeName == "principal.microsoft.id";
  def with_principal($p):
    if any(.[]; principal_condition)
    then map(if principal_condition
             then .attributeValueIncludedIn = (((.attributeValueIncludedIn // []) + [$p]) | unique)
             else . end)
    else [{"attributeName": "principal.microsoft.id", "attributeValueIncludedIn": [$p]}] + .
    end;
  if any(.properties.attributeRules[]; .id | startswith($prefix)) | not
  then error("no Data Curator rule in the root collection policy")
  else (.properties.attributeRules[] | select(.id | startswith($prefix)) | .dnfCondition[0]) |= with_principal($p)
  end'
jq --arg prefix "$curator_rule_prefix" --arg p "$CURATOR_PRINCIPAL_ID" "$add_curator" policy.json > updated.json

if jq -e --slurpfile before policy.json '. == $before[0]' updated.json > /dev/null; then
  echo "${CURATOR_PRINCIPAL_ID} is already Data Curator on ${PURVIEW_ACCOUNT}; nothing to do"
else
  policy_id=$(jq -r '.id' policy.json)
  az rest --method put --resource "https://purview.azure.net" \
    --url "${policystore}/metadataPolicies/${policy_id}?${policy_api}" \
    --headers "Content-Type=application/json" --body @updated.json --output none
  echo "granted Data Curator on ${PURVIEW_ACCOUNT} to ${CURATOR_PRINCIPAL_ID}"
fi

# Deployment script outputs: what the script decided, for `az deployment-scripts show-log`.
if [ -n "${AZ_SCRIPTS_OUTPUT_PATH:-}" ]; then
  echo "{\"collection\": \"${PURVIEW_ACCOUNT}\", \"curator\": \"${CURATOR_PRINCIPAL_ID}\"}" > "$AZ_SCRIPTS_OUTPUT_PATH"
fi
