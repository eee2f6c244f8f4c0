#!/usr/bin/env bash
# Post (or update in place) the environment picture of one stack as a pull-request comment, when the
# pull request changes that stack: its stack file, Pulumi.yaml or the program (infra/).
#
#   scripts/pr-picture-comment.sh <stack>
#
# Needs build/<stack>/environment.mmd (make plan), the gh CLI, and in the environment GH_TOKEN (a token
# that may write pull-request comments), REPO (owner/name), PR_NUMBER and BASE_SHA (the base commit).
# The picture carries names, types and roles only; a GUID or an IPv4 address in it stops the post
# (comments must not disclose ids or IP ranges).
set -euo pipefail

stack="${1:?usage: pr-picture-comment.sh <stack>}"
: "${REPO:?}" "${PR_NUMBER:?}" "${BASE_SHA:?}"
picture="build/$stack/environment.mmd"
[[ -f "$picture" ]] || { echo "no $picture: run make plan STACK=$stack first" >&2; exit 1; }

if git diff --quiet "$BASE_SHA" HEAD -- Pulumi.yaml "Pulumi.$stack.yaml" infra/; then
  echo "stack $stack unchanged by this pull request: no picture posted"
  exit 0
fi
if grep -Eiq '[0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12}|\b[0-9]{1,3}(\.[0-9]{1,3}){3}\b' "$picture"; then
  echo "$picture holds an id or an IP address: not posting it" >&2
  exit 1
fi

marker="<!-- feathr-infra environment picture: $stack -->"
body="$(mktemp)"
trap 'rm -f "$body"' EXIT
{
  echo "$marker"
  echo "### Environment picture: \`$stack\`"
  echo
  echo "Drawn from the offline plan of $(git rev-parse --short HEAD) (names, types and roles only)."
  echo
  echo '```mermaid'
  cat "$picture"
  echo '```'
} >"$body"

existing="$(gh api --paginate "repos/$REPO/issues/$PR_NUMBER/comments" \
  --jq ".[] | select(.body | startswith(\"$marker\")) | .id" | head -n 1)"
if [[ -n "$existing" ]]; then
  gh api --silent -X PATCH "repos/$REPO/issues/comments/$existing" -F "body=@$body"
  echo "updated the $stack picture comment"
else
  gh api --silent -X POST "repos/$REPO/issues/$PR_NUMBER/comments" -F "body=@$body"
  echo "posted the $stack picture comment"
fi
