#!/usr/bin/env bash
# Makes Synapse RBAC at workspace scope match the access table (data plane: ARM cannot express it).
# Runs during `pulumi up` on the machine that deploys, as the deploying identity: the workspace's
# creator, hence a Synapse Administrator. Idempotent: grants what is missing, revokes table-managed
# roles the table no longer lists, and never touches the principals in KEEP_OBJECT_IDS.
#   WORKSPACE         the Synapse workspace name
#   ASSIGNMENTS       one "role|objectId|principalType" per line (may be empty)
#   KEEP_OBJECT_IDS   object ids never revoked, one per line (the deployer, the workspace identity)
set -euo pipefail

: "${WORKSPACE:?WORKSPACE is required}"
ASSIGNMENTS="${ASSIGNMENTS:-}"
KEEP_OBJECT_IDS="${KEEP_OBJECT_IDS:-}"
MANAGED_ROLES=("Synapse Administrator" "Synapse Contributor" "Synapse Compute Operator")
SCOPE="workspaces/${WORKSPACE}"

granted=0
while IFS='|' read -r role object_id principal_type; do
  [ -n "${role}" ] || continue
  count=$(az synapse role assignment list --workspace-name "${WORKSPACE}" --scope "${SCOPE}" --role "${role}" \
    --assignee-object-id "${object_id}" --query "length(@)" --output tsv)
  if [ "${count}" = "0" ]; then
    az synapse role assignment create --workspace-name "${WORKSPACE}" --scope "${SCOPE}" --role "${role}" \
      --assignee-object-id "${object_id}" --assignee-principal-type "${principal_type}" --output none
    granted=$((granted + 1))
  fi
done <<< "${ASSIGNMENTS}"

desired=$(cut -d'|' -f1,2 <<< "${ASSIGNMENTS}")
revoked=0
for role in "${MANAGED_ROLES[@]}"; do
  while IFS=$'\t' read -r assignment_id principal_id; do
    [ -n "${assignment_id}" ] || continue
    if grep -qxF "${role}|${principal_id,,}" <<< "${desired}" || grep -qxiF "${principal_id}" <<< "${KEEP_OBJECT_IDS}"; then
      continue
    fi
    az synapse role assignment delete --workspace-name "${WORKSPACE}" --ids "${assignment_id}" --yes --output none
    revoked=$((revoked + 1))
  done < <(az synapse role assignment list --workspace-name "${WORKSPACE}" --scope "${SCOPE}" --role "${role}" \
    --query "[].[id, principalId]" --output tsv)
done

echo "synapse roles on ${WORKSPACE}: ${granted} granted, ${revoked} revoked"
