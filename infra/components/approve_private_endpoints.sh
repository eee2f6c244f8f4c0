#!/usr/bin/env bash
# Approves the private endpoint Synapse's managed virtual network opens to the offline store.
# Synapse creates it asynchronously and Azure leaves it Pending until the storage side approves.
# Runs during `pulumi up` as the deploying identity (which may approve connections on the account).
#   STORAGE_ACCOUNT_ID  the offline store account's resource id
#   WORKSPACE           the Synapse workspace name (the managed endpoint's id contains it)
set -euo pipefail

: "${STORAGE_ACCOUNT_ID:?STORAGE_ACCOUNT_ID is required}"
: "${WORKSPACE:?WORKSPACE is required}"
ATTEMPTS="${ATTEMPTS:-40}"  # 40 x 30 s: the endpoint usually appears within minutes

for _ in $(seq "${ATTEMPTS}"); do
  connections=$(az network private-endpoint-connection list --id "${STORAGE_ACCOUNT_ID}" \
    --query "[?contains(properties.privateEndpoint.id, '${WORKSPACE}')].[id, properties.privateLinkServiceConnectionState.status]" \
    --output tsv)
  if [ -n "${connections}" ]; then
    while IFS=$'\t' read -r connection_id status; do
      if [ "${status}" = "Pending" ]; then
        az network private-endpoint-connection approve --id "${connection_id}" \
          --description "Synapse managed private endpoint of ${WORKSPACE} (feathr-infra)" --output none
      fi
    done <<< "${connections}"
    echo "private endpoints of ${WORKSPACE} on the offline store: approved"
    exit 0
  fi
  sleep 30
done
echo "no private endpoint of ${WORKSPACE} appeared on ${STORAGE_ACCOUNT_ID}" >&2
exit 1
