#!/usr/bin/env bash
# Creates the Pulumi state backend and secrets provider for feathr-infra, once per
# team (or once per isolation boundary, e.g. one for prod and one for the rest).
#
# What it creates (idempotent: re-running updates settings in place):
#   - a resource group (with a CanNotDelete lock unless --no-lock)
#   - a StorageV2 account for Pulumi state: HTTPS only, TLS 1.2 minimum, no public
#     blob access, shared-key auth disabled (Entra ID only), blob versioning, blob
#     and container soft delete
#   - a private blob container for the state files
#   - a Key Vault with RBAC authorization, purge protection and soft delete
#   - an RSA key in that vault, used by Pulumi's `azurekeyvault` secrets provider
#   - role assignments for each deploying identity (CI service principals, managed
#     identities or the platform team's group):
#       Storage Blob Data Contributor on the state container
#       Key Vault Crypto User on the secrets-provider key
#
# Then prints the `pulumi login` and `pulumi stack init` commands to use.
#
# Requires: az CLI (logged in with rights to create resources and role assignments
# in the subscription: Owner, or Contributor + Role Based Access Control Administrator).
set -euo pipefail

readonly SCRIPT_NAME="${0##*/}"

usage() {
  cat <<EOF
Usage: $SCRIPT_NAME [options]

Creates the Azure Blob state backend and Key Vault secrets provider for Pulumi.
Every option can also be given as the environment variable in brackets.

Required:
  -s, --subscription ID        Subscription id or name            [AZURE_SUBSCRIPTION_ID]
  -g, --resource-group NAME    Resource group (created if absent)  [STATE_RESOURCE_GROUP]
  -l, --location REGION        Azure region, e.g. westeurope       [STATE_LOCATION]
  -a, --storage-account NAME   Storage account name, 3-24 lowercase letters/digits,
                               globally unique                     [STATE_STORAGE_ACCOUNT]
  -k, --key-vault NAME         Key Vault name, 3-24 letters/digits/hyphens, globally
                               unique                              [STATE_KEY_VAULT]
  -p, --principal OBJECT_ID    Object id of a deploying identity; repeat for several
                               (comma-separated in the env var)    [DEPLOYER_OBJECT_IDS]

Optional:
  -c, --container NAME         Blob container for state (default: pulumi-state)
                                                                   [STATE_CONTAINER]
      --key-name NAME          Key Vault key name (default: pulumi-secrets)
                                                                   [STATE_KEY_NAME]
      --principal-type TYPE    ServicePrincipal (default), Group or User
                                                                   [DEPLOYER_PRINCIPAL_TYPE]
      --sku SKU                Storage SKU (default: Standard_GRS)  [STATE_STORAGE_SKU]
      --retention-days N       Soft-delete retention for blobs, containers and the
                               vault, 7-90 (default: 30)          [STATE_RETENTION_DAYS]
      --stacks LIST            Stacks to print init commands for (default: dev,prod)
                                                                   [STACKS]
      --tag KEY=VALUE          Extra tag on every resource; repeatable
      --no-lock                Do not put a CanNotDelete lock on the resource group
      --dry-run                Print the az commands instead of running them
  -h, --help                   Show this help and exit

Example:
  $SCRIPT_NAME -s 00000000-0000-0000-0000-000000000000 -g rg-feathr-state \\
    -l westeurope -a stfeathrstate01 -k kv-feathr-state-01 \\
    -p 11111111-1111-1111-1111-111111111111
EOF
}

die() {
  printf '%s: error: %s\n' "$SCRIPT_NAME" "$*" >&2
  exit 2
}

log() { printf '==> %s\n' "$*" >&2; }

# --- parameters ---------------------------------------------------------------

subscription="${AZURE_SUBSCRIPTION_ID:-}"
resource_group="${STATE_RESOURCE_GROUP:-}"
location="${STATE_LOCATION:-}"
storage_account="${STATE_STORAGE_ACCOUNT:-}"
key_vault="${STATE_KEY_VAULT:-}"
container="${STATE_CONTAINER:-pulumi-state}"
key_name="${STATE_KEY_NAME:-pulumi-secrets}"
principal_type="${DEPLOYER_PRINCIPAL_TYPE:-ServicePrincipal}"
sku="${STATE_STORAGE_SKU:-Standard_GRS}"
retention_days="${STATE_RETENTION_DAYS:-30}"
stacks="${STACKS:-dev,prod}"
lock=true
dry_run=false
principals=()
tags=("purpose=pulumi-state" "project=feathr-infra")

if [[ -n "${DEPLOYER_OBJECT_IDS:-}" ]]; then
  IFS=',' read -r -a principals <<<"$DEPLOYER_OBJECT_IDS"
fi

need_value() {
  [[ $# -ge 2 && -n "$2" && "$2" != -* ]] || die "option $1 needs a value (see --help)"
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    -s | --subscription) need_value "$@"; subscription="$2"; shift 2 ;;
    -g | --resource-group) need_value "$@"; resource_group="$2"; shift 2 ;;
    -l | --location) need_value "$@"; location="$2"; shift 2 ;;
    -a | --storage-account) need_value "$@"; storage_account="$2"; shift 2 ;;
    -k | --key-vault) need_value "$@"; key_vault="$2"; shift 2 ;;
    -c | --container) need_value "$@"; container="$2"; shift 2 ;;
    -p | --principal) need_value "$@"; principals+=("$2"); shift 2 ;;
    --key-name) need_value "$@"; key_name="$2"; shift 2 ;;
    --principal-type) need_value "$@"; principal_type="$2"; shift 2 ;;
    --sku) need_value "$@"; sku="$2"; shift 2 ;;
    --retention-days) need_value "$@"; retention_days="$2"; shift 2 ;;
    --stacks) need_value "$@"; stacks="$2"; shift 2 ;;
    --tag) need_value "$@"; tags+=("$2"); shift 2 ;;
    --no-lock) lock=false; shift ;;
    --dry-run) dry_run=true; shift ;;
    --) shift; break ;;
    *) die "unknown option: $1 (see --help)" ;;
  esac
done
[[ $# -eq 0 ]] || die "unexpected argument: $1 (see --help)"

# --- validation -----------------------------------------------------------------

errors=()
check() { # check <value> <regex> <message>
  [[ "$1" =~ $2 ]] || errors+=("$3")
}

readonly GUID_RE='^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'

[[ -n "$subscription" ]] || errors+=("--subscription is required")
check "$resource_group" '^[-_.()a-zA-Z0-9]{1,89}[-_()a-zA-Z0-9]$' \
  "--resource-group '$resource_group': 1-90 letters, digits, '-', '_', '.', '(' or ')', not ending in '.'"
check "$location" '^[a-z0-9]+$' \
  "--location '$location': an Azure region name such as westeurope (lowercase, no spaces)"
check "$storage_account" '^[a-z0-9]{3,24}$' \
  "--storage-account '$storage_account': 3-24 lowercase letters and digits"
check "$key_vault" '^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$' \
  "--key-vault '$key_vault': 3-24 letters, digits and hyphens, starting with a letter, not ending with a hyphen"
if [[ "$key_vault" == *--* ]]; then
  errors+=("--key-vault '$key_vault': consecutive hyphens are not allowed")
fi
check "$container" '^[a-z0-9]([a-z0-9]|-[a-z0-9]){2,62}$' \
  "--container '$container': 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit"
check "$key_name" '^[a-zA-Z0-9-]{1,127}$' \
  "--key-name '$key_name': 1-127 letters, digits and hyphens"
case "$principal_type" in
  ServicePrincipal | Group | User) ;;
  *) errors+=("--principal-type '$principal_type': one of ServicePrincipal, Group, User") ;;
esac
case "$sku" in
  Standard_LRS | Standard_ZRS | Standard_GRS | Standard_RAGRS | Standard_GZRS | Standard_RAGZRS) ;;
  *) errors+=("--sku '$sku': one of Standard_LRS, Standard_ZRS, Standard_GRS, Standard_RAGRS, Standard_GZRS, Standard_RAGZRS") ;;
esac
if [[ "$retention_days" =~ ^[0-9]+$ ]] && ((retention_days >= 7 && retention_days <= 90)); then
  :
else
  errors+=("--retention-days '$retention_days': a whole number from 7 to 90")
fi
if ((${#principals[@]} == 0)); then
  errors+=("--principal is required: the object id of the identity that runs 'pulumi up'")
fi
for p in "${principals[@]}"; do
  check "$p" "$GUID_RE" "--principal '$p': an Entra object id (GUID)"
done
for t in "${tags[@]}"; do
  check "$t" '^[^=]+=.*$' "--tag '$t': KEY=VALUE"
done
IFS=',' read -r -a stack_list <<<"$stacks"
for s in "${stack_list[@]}"; do
  check "$s" '^[a-zA-Z0-9._-]+$' "--stacks: '$s' is not a valid stack name"
done

if ((${#errors[@]} > 0)); then
  printf '%s: invalid parameters:\n' "$SCRIPT_NAME" >&2
  printf '  - %s\n' "${errors[@]}" >&2
  printf 'Run %s --help for usage.\n' "$SCRIPT_NAME" >&2
  exit 2
fi

# --- helpers --------------------------------------------------------------------

# az wrapper: prints the command in --dry-run mode; otherwise runs it with
# --only-show-errors so that failures are still reported.
az_run() {
  if [[ "$dry_run" == true ]]; then
    printf 'az'
    printf ' %q' "$@"
    printf '\n'
    return 0
  fi
  az "$@" --only-show-errors
}

# az query that returns a value; in --dry-run mode returns a placeholder.
az_value() {
  local placeholder="$1"
  shift
  if [[ "$dry_run" == true ]]; then
    {
      printf 'az'
      printf ' %q' "$@"
      printf '\n'
    } >&2
    printf '%s\n' "$placeholder"
    return 0
  fi
  az "$@" --only-show-errors --output tsv
}

# Role assignments take a moment to propagate; data-plane calls made right after
# granting a role are retried.
retry() {
  local attempts=12 delay=10 n=1
  until "$@"; do
    if ((n >= attempts)); then
      return 1
    fi
    log "retrying in ${delay}s (role assignments can take a minute to propagate)"
    sleep "$delay"
    n=$((n + 1))
  done
}

grant() { # grant <role> <scope> <object-id> <principal-type>
  local role="$1" scope="$2" oid="$3" ptype="$4" existing=""
  if [[ "$dry_run" != true ]]; then
    existing="$(az role assignment list --assignee "$oid" --role "$role" --scope "$scope" \
      --query '[0].id' --output tsv --only-show-errors || true)"
  fi
  if [[ -n "$existing" ]]; then
    log "role '$role' already granted to $oid"
    return 0
  fi
  log "granting '$role' to $oid ($ptype)"
  az_run role assignment create --role "$role" --scope "$scope" \
    --assignee-object-id "$oid" --assignee-principal-type "$ptype" --output none
}

# --- provisioning ---------------------------------------------------------------

log "subscription $subscription"
az_run account set --subscription "$subscription"
subscription_id="$(az_value 00000000-0000-0000-0000-000000000000 account show --query id)"

log "resource group $resource_group ($location)"
az_run group create --name "$resource_group" --location "$location" --tags "${tags[@]}" --output none

log "storage account $storage_account"
az_run storage account create \
  --name "$storage_account" \
  --resource-group "$resource_group" \
  --location "$location" \
  --kind StorageV2 \
  --sku "$sku" \
  --https-only true \
  --min-tls-version TLS1_2 \
  --allow-blob-public-access false \
  --allow-shared-key-access false \
  --default-action Allow \
  --tags "${tags[@]}" \
  --output none

log "blob versioning and soft delete ($retention_days days)"
az_run storage account blob-service-properties update \
  --account-name "$storage_account" \
  --resource-group "$resource_group" \
  --enable-versioning true \
  --enable-delete-retention true \
  --delete-retention-days "$retention_days" \
  --enable-container-delete-retention true \
  --container-delete-retention-days "$retention_days" \
  --output none

log "state container $container"
# Management-plane call: needs no data-plane role for the operator.
az_run storage container-rm create \
  --storage-account "$storage_account" \
  --resource-group "$resource_group" \
  --name "$container" \
  --public-access off \
  --output none

log "key vault $key_vault"
# An existing vault keeps its permission model: switching a vault that uses access policies to
# RBAC drops every access policy at once, cutting off whoever (apps, people, pipelines) relied on
# them. The script needs RBAC (it grants roles on the key), so it stops and says so instead.
vault_exists=false
vault_rbac=""
if [[ "$dry_run" != true ]] && vault_rbac="$(az keyvault show --name "$key_vault" --resource-group "$resource_group" \
  --query properties.enableRbacAuthorization --output tsv --only-show-errors 2>/dev/null)"; then
  vault_exists=true
fi
if [[ "$vault_exists" == true ]]; then
  # Unset (older vaults) means access policies, like false.
  if [[ "${vault_rbac,,}" != true ]]; then
    printf '%s: error: key vault %s exists and uses access policies, not Azure RBAC.\n' "$SCRIPT_NAME" "$key_vault" >&2
    printf '  Switching it would remove every access policy; this script does not do that.\n' >&2
    printf '  Use a new vault name (--key-vault), or migrate the vault to RBAC yourself first\n' >&2
    printf '  (https://learn.microsoft.com/azure/key-vault/general/rbac-migration).\n' >&2
    exit 1
  fi
  log "key vault exists and uses RBAC; enabling purge protection (irreversible) if it is off"
  az_run keyvault update --name "$key_vault" --resource-group "$resource_group" \
    --enable-purge-protection true --output none
else
  az_run keyvault create \
    --name "$key_vault" \
    --resource-group "$resource_group" \
    --location "$location" \
    --sku standard \
    --enable-rbac-authorization true \
    --enable-purge-protection true \
    --retention-days "$retention_days" \
    --tags "${tags[@]}" \
    --output none
fi
vault_id="$(az_value "/subscriptions/$subscription_id/resourceGroups/$resource_group/providers/Microsoft.KeyVault/vaults/$key_vault" \
  keyvault show --name "$key_vault" --resource-group "$resource_group" --query id)"
container_scope="/subscriptions/$subscription_id/resourceGroups/$resource_group/providers/Microsoft.Storage/storageAccounts/$storage_account/blobServices/default/containers/$container"

# The operator needs a data-plane role to create the key (RBAC vault).
operator_id="$(az_value 22222222-2222-2222-2222-222222222222 ad signed-in-user show --query id 2>/dev/null || true)"
if [[ -n "$operator_id" ]]; then
  grant "Key Vault Crypto Officer" "$vault_id" "$operator_id" User
else
  log "signed in as a service principal: make sure it holds 'Key Vault Crypto Officer' on $vault_id"
fi

log "RSA key $key_name"
key_exists=false
if [[ "$dry_run" != true ]] && az keyvault key show --vault-name "$key_vault" --name "$key_name" \
  --only-show-errors --output none 2>/dev/null; then
  key_exists=true
  log "key exists; keeping it (Pulumi stacks encrypted with it stay readable)"
fi
if [[ "$key_exists" != true ]]; then
  if [[ "$dry_run" == true ]]; then
    az_run keyvault key create --vault-name "$key_vault" --name "$key_name" \
      --kty RSA --size 3072 --ops encrypt decrypt wrapKey unwrapKey --output none
  else
    retry az keyvault key create --vault-name "$key_vault" --name "$key_name" \
      --kty RSA --size 3072 --ops encrypt decrypt wrapKey unwrapKey --output none --only-show-errors
  fi
fi
key_scope="$vault_id/keys/$key_name"

for p in "${principals[@]}"; do
  grant "Storage Blob Data Contributor" "$container_scope" "$p" "$principal_type"
  grant "Key Vault Crypto User" "$key_scope" "$p" "$principal_type"
done

if [[ "$lock" == true ]]; then
  log "CanNotDelete lock on resource group $resource_group"
  az_run lock create --name pulumi-state-do-not-delete --lock-type CanNotDelete \
    --resource-group "$resource_group" \
    --notes "Pulumi state and secrets-provider key for feathr-infra" --output none
fi

# --- next steps -----------------------------------------------------------------

backend_url="azblob://$container?storage_account=$storage_account"
secrets_provider="azurekeyvault://$key_vault.vault.azure.net/keys/$key_name"

cat <<EOF

State backend ready.

Log in (az CLI session, no storage key needed: the backend and the secrets provider use
DefaultAzureCredential, which ends at the az CLI):
  export AZURE_STORAGE_ACCOUNT=$storage_account
  pulumi login '$backend_url'

NEXT, before any pipeline runs: create the stacks and commit the updated Pulumi.<stack>.yaml
files (they gain secretsprovider: and encryptedkey:; CI cannot open a stack without them):
EOF
for s in "${stack_list[@]}"; do
  printf "  pulumi stack init %s --secrets-provider '%s'\n" "$s" "$secrets_provider"
done
cat <<EOF

CI variables (GitHub repository variables / Azure DevOps variable group feathr-infra-state):
  PULUMI_BACKEND_URL=$backend_url
  PULUMI_STATE_STORAGE_ACCOUNT=$storage_account
EOF
