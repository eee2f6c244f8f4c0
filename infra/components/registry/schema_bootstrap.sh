#!/bin/bash
# Registry schema + RBAC bootstrap. Runs as an Azure deployment script (Azure CLI image) during
# `pulumi up`, inside Azure, so no network path from the pipeline to the database is needed.
#
# Environment (set by infra/components/registry/schema_bootstrap.py):
#   SQL_HOST            failover group listener or server FQDN
#   SQL_DATABASE        registry database
#   SQL_DATABASE_ID     the database's server-assigned id (a new database re-runs this script)
#   SQL_LOGIN           SQL administrator login
#   SQLCMDPASSWORD      its password (a secure value: never logged, never returned by Azure)
#   APP_USER            the registry app's contained database user
#   REGISTRY_APP_PASSWORD  its password (secure); sqlcmd substitutes $(REGISTRY_APP_PASSWORD) from it
#   SQLCMD_VERSION      go-sqlcmd release to install
#   BOOTSTRAP_SQL_B64   schema.sql + app user + rendered role seed, base64 (GO-separated batches)
set -euo pipefail

# go-sqlcmd is one static binary; fetch and unpack it with the image's own python3 (tar/bzip2 are
# not guaranteed in the Azure Linux based CLI image). Only the `sqlcmd` member is written.
python3 - <<'PY'
import io, os, tarfile, urllib.request

version = os.environ["SQLCMD_VERSION"]
url = f"https://github.com/microsoft/go-sqlcmd/releases/download/v{version}/sqlcmd-linux-amd64.tar.bz2"
with urllib.request.urlopen(url, timeout=120) as response:
    archive = tarfile.open(fileobj=io.BytesIO(response.read()), mode="r:bz2")
member = next(m for m in archive.getmembers() if m.isfile() and m.name.rsplit("/", 1)[-1] == "sqlcmd")
with open("/tmp/sqlcmd", "wb") as target:
    target.write(archive.extractfile(member).read())
os.chmod("/tmp/sqlcmd", 0o755)
PY
/tmp/sqlcmd --version

printf '%s' "$BOOTSTRAP_SQL_B64" | base64 -d > /tmp/registry-bootstrap.sql

# Retries cover a serverless database resuming from auto-pause (error 40613), a failover group
# listener whose DNS name is still propagating, and firewall rules that take a minute to apply.
for attempt in 1 2 3 4 5 6 7 8; do
  # -N true -C absent: encrypted, and the server certificate is validated. -b: stop on the first error.
  if /tmp/sqlcmd -S "tcp:${SQL_HOST},1433" -d "$SQL_DATABASE" -U "$SQL_LOGIN" -N true -b -l 60 \
       -i /tmp/registry-bootstrap.sql; then
    # Check what the registry app will do at start-up, as the app's own user: read userroles.
    if rows=$(SQLCMDPASSWORD="$REGISTRY_APP_PASSWORD" /tmp/sqlcmd -S "tcp:${SQL_HOST},1433" -d "$SQL_DATABASE" \
               -U "$APP_USER" -N true -b -h -1 -W \
               -Q "SET NOCOUNT ON; SELECT COUNT(*) FROM dbo.userroles WHERE delete_reason IS NULL;"); then
      printf '{"bootstrapped": true, "databaseId": "%s", "attempt": %d, "activeRoleRows": %d}' \
        "$SQL_DATABASE_ID" "$attempt" "${rows//[^0-9]/}" > "$AZ_SCRIPTS_OUTPUT_PATH"
      exit 0
    fi
  fi
  echo "attempt ${attempt} failed; retrying in 30 seconds" >&2
  sleep 30
done
echo "registry schema bootstrap failed after ${attempt} attempts" >&2
exit 1
