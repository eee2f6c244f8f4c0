#!/usr/bin/env bash
# Applies Synapse RBAC role assignments (data plane: ARM cannot express them), idempotently.
# Runs as an Azure deployment script under the identity that is the workspace's initial Synapse
# Administrator. ASSIGNMENTS holds one "role|objectId|principalType" per line.
set -euo pipefail

: "${WORKSPACE:?WORKSPACE is required}"
: "${ASSIGNMENTS:?ASSIGNMENTS is required}"

applied=0
while IFS='|' read -r role object_id principal_type; do
  [ -n "${role}" ] || continue
  count=$(az synapse role assignment list --workspace-name "${WORKSPACE}" --role "${role}" \
    --assignee-object-id "${object_id}" --query "length(@)" --output tsv)
  if [ "${count}" = "0" ]; then
    az synapse role assignment create --workspace-name "${WORKSPACE}" --role "${role}" \
      --assignee-object-id "${object_id}" --assignee-principal-type "${principal_type}" --output none
    applied=$((applied + 1))
  fi
done <<< "${ASSIGNMENTS}"

echo "{\"applied\": ${applied}}" > "${AZ_SCRIPTS_OUTPUT_PATH}"
