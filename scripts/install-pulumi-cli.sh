#!/usr/bin/env bash
# Installs one pinned Pulumi CLI release, verified against a pinned SHA-256 (instead of
# `curl https://get.pulumi.com | sh`, which installs whatever the script serves, unverified).
#
#   scripts/install-pulumi-cli.sh <version> <sha256 of pulumi-v<version>-linux-x64.tar.gz> [dir]
#
# The checksum is the tarball's line in the release's checksums file
# (https://github.com/pulumi/pulumi/releases/tag/v<version>). Installs into dir (default
# $HOME/.pulumi/bin) and, on Azure DevOps, prepends it to PATH for later steps.
set -euo pipefail

readonly SCRIPT_NAME="${0##*/}"
die() {
  printf '%s: error: %s\n' "$SCRIPT_NAME" "$*" >&2
  exit 2
}

version="${1:-}"
sha256="${2:-}"
dir="${3:-$HOME/.pulumi/bin}"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "version '$version': MAJOR.MINOR.PATCH, e.g. 3.272.0"
[[ "$sha256" =~ ^[0-9a-f]{64}$ ]] ||
  die "sha256 '$sha256': the 64 lowercase hex digits of pulumi-v$version-linux-x64.tar.gz from the release's checksums file"

tarball="pulumi-v$version-linux-x64.tar.gz"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
curl --silent --show-error --fail --location --retry 3 \
  --output "$tmp/$tarball" "https://get.pulumi.com/releases/sdk/$tarball"
printf '%s  %s\n' "$sha256" "$tmp/$tarball" | sha256sum --check --strict --quiet ||
  die "$tarball does not match the pinned sha256 $sha256"
mkdir -p "$dir"
tar --extract --gzip --file "$tmp/$tarball" --directory "$dir" --strip-components 1
"$dir/pulumi" version
if [[ -n "${TF_BUILD:-}" ]]; then
  printf '##vso[task.prependpath]%s\n' "$dir"
fi
