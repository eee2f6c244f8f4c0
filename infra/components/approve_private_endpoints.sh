#!/usr/bin/env bash
# Approves the private endpoint connections another service opens to one of ours, which Azure leaves
# Pending until the target's side approves them. Used for:
#   - Synapse's managed virtual network -> the offline store (the endpoint's id contains the workspace);
#   - Azure Front Door Premium's Private Link -> the registry web app (the connection carries the
#     request message the origin set; the endpoint itself lives in a Microsoft-managed subscription).
# Runs during `pulumi up` as the deploying identity (which may approve connections on the target).
#   RESOURCE_ID       the target's resource id (STORAGE_ACCOUNT_ID is the older name for it)
#   WORKSPACE         approve connections whose private endpoint id contains this, or
#   REQUEST_MESSAGE   approve connections that carry exactly this request message
set -euo pipefail

RESOURCE_ID="${RESOURCE_ID:-${STORAGE_ACCOUNT_ID:-}}"
: "${RESOURCE_ID:?RESOURCE_ID (or STORAGE_ACCOUNT_ID) is required}"
if [ -n "${REQUEST_MESSAGE:-}" ]; then
  match="properties.privateLinkServiceConnectionState.description=='${REQUEST_MESSAGE}'"
  who="'${REQUEST_MESSAGE}'"
else
  : "${WORKSPACE:?WORKSPACE or REQUEST_MESSAGE is required}"
  match="contains(properties.privateEndpoint.id, '${WORKSPACE}')"
  who="${WORKSPACE}"
fi
ATTEMPTS="${ATTEMPTS:-40}"  # 40 x 30 s: the endpoint usually appears within minutes

for _ in $(seq "${ATTEMPTS}"); do
  connections=$(az network private-endpoint-connection list --id "${RESOURCE_ID}" \
    --query "[?${match}].[id, properties.privateLinkServiceConnectionState.status]" \
    --output tsv)
  if [ -n "${connections}" ]; then
    while IFS=$'\t' read -r connection_id status; do
      if [ "${status}" = "Pending" ]; then
        az network private-endpoint-connection approve --id "${connection_id}" \
          --description "Private endpoint of ${who} (feathr-infra)" --output none
      fi
    done <<< "${connections}"
    echo "private endpoints of ${who} on ${RESOURCE_ID}: approved"
    exit 0
  fi
  sleep 30
done
echo "no private endpoint of ${who} appeared on ${RESOURCE_ID}" >&2
exit 1
