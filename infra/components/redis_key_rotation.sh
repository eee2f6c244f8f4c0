#!/usr/bin/env bash
# Regenerates the Redis access key that the clients do NOT hold now, and prints its name, so the
# program publishes it as the new REDIS-PASSWORD version while the old key keeps working until the
# next rotation (the two-key pattern). Runs during `pulumi up` on the deploying machine, as the
# deploying identity, whenever the Redis key's rotation schedule rotates.
#   RESOURCE_ID   ARM id of the Managed Redis database or of the Cache for Redis
#   API_VERSION   ARM API version of its regenerateKey / listKeys actions
#   SECRET_ID     ARM id of the Key Vault secret REDIS-PASSWORD (it may not exist yet)
#   SLOT_TAG      the secret's tag that names the key it holds (Primary or Secondary)
#   POLL_SECONDS  wait between checks that the regeneration finished (default 10)
# Only ARM is called (`az rest`, management plane): no Key Vault data-plane access is needed, and no
# key value is ever printed (only hashes are compared).
set -euo pipefail

: "${RESOURCE_ID:?RESOURCE_ID is required}"
: "${API_VERSION:?API_VERSION is required}"
: "${SECRET_ID:?SECRET_ID is required}"
: "${SLOT_TAG:?SLOT_TAG is required}"
POLL_SECONDS="${POLL_SECONDS:-10}"
SECRET_API_VERSION="2024-11-01"  # Microsoft.KeyVault/vaults/secrets, as the program writes them

errors=$(mktemp)
trap 'rm -f "${errors}"' EXIT

# Which key the secret holds now. No secret yet (first deployment): the clients hold the primary.
if current=$(az rest --method get --url "${SECRET_ID}?api-version=${SECRET_API_VERSION}" \
  --query "tags.\"${SLOT_TAG}\"" --output tsv 2>"${errors}"); then
  :
elif grep -qiE "ResourceNotFound|SecretNotFound|Not Found" "${errors}"; then
  current=""
else
  cat "${errors}" >&2
  exit 1
fi
if [ "${current}" = "Secondary" ]; then next="Primary"; else next="Secondary"; fi
field="$(tr '[:upper:]' '[:lower:]' <<< "${next:0:1}")${next:1}Key"

key_hash() {
  az rest --method post --url "${RESOURCE_ID}/listKeys?api-version=${API_VERSION}" \
    --query "${field}" --output tsv | sha256sum | cut -d' ' -f1
}

before=$(key_hash)
az rest --method post --url "${RESOURCE_ID}/regenerateKey?api-version=${API_VERSION}" \
  --body "{\"keyType\": \"${next}\"}" --output none
# Managed Redis regenerates asynchronously (a long-running operation): wait until the key changed.
for _ in $(seq 1 60); do
  if [ "$(key_hash)" != "${before}" ]; then
    printf '%s' "${next}"
    exit 0
  fi
  sleep "${POLL_SECONDS}"
done
echo "the ${next} key of ${RESOURCE_ID} did not change within 60 checks" >&2
exit 1
