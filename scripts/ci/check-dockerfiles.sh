#!/usr/bin/env bash
# Lints the Dockerfiles with hadolint under the repository's .hadolint.yaml
# (failure threshold "info": any finding fails; base images from docker.io only).
#
# hadolint does not expand `FROM ${NODE_IMAGE}`, so its registry and tag rules
# would never see our base image: each file is linted a second time with the
# global ARG defaults substituted into its FROM lines (what a plain
# `docker build` uses).
#
#   bash scripts/ci/check-dockerfiles.sh [DOCKERFILE...]   (default deploy/*.Dockerfile)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/validators-env.sh"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
[ -x "$HADOLINT" ] || { echo "hadolint not found: bash scripts/ci/install-validators.sh" >&2; exit 127; }
if [ "$#" -eq 0 ]; then set -- "$root"/deploy/*.Dockerfile; fi
echo "hadolint $("$HADOLINT" --version | grep -o '[0-9][0-9.]*' | head -1): $*"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

status=0
for file in "$@"; do
  "$HADOLINT" --no-color --config "$root/.hadolint.yaml" "$file" || status=1
  resolved="$work/$(basename "$file") (FROM with ARG defaults)"
  awk '
    !from && /^ARG [A-Za-z_][A-Za-z0-9_]*=/ { split(substr($0, 5), kv, "="); args[kv[1]] = kv[2] }
    /^FROM / {
      from = 1
      for (name in args) { gsub("\\$\\{" name "\\}", args[name]); gsub("\\$" name "( |$)", args[name] " ") }
    }
    { print }
  ' "$file" >"$resolved"
  if ! cmp -s "$file" "$resolved"; then
    "$HADOLINT" --no-color --config "$root/.hadolint.yaml" "$resolved" || status=1
  fi
done
exit "$status"
