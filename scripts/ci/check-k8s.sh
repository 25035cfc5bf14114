#!/usr/bin/env bash
# Validates what `kubectl apply -k` would send, not the source files: the
# kustomize-built output of the base, and of the base with each optional
# component, against the bundled OpenAPI schemas of a current Kubernetes
# release, rejecting unknown fields (--strict), which the API server would
# otherwise drop silently (a misspelt securityContext key is no protection).
#
#   bash scripts/ci/check-k8s.sh [KUSTOMIZATION_DIR]   (default deploy/k8s)
# Exit 0 when every resource passes; non-zero, naming the resource and field, otherwise.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/validators-env.sh"
KUBERNETES_VERSION="${KUBERNETES_VERSION:-1.37.0}"
base="$(cd "${1:-$(dirname "${BASH_SOURCE[0]}")/../../deploy/k8s}" && pwd)"

command -v kubectl >/dev/null || { echo "kubectl (for kustomize) not found" >&2; exit 127; }
[ -x "$KUBERNETES_VALIDATE" ] || { echo "kubernetes-validate not found: bash scripts/ci/install-validators.sh" >&2; exit 127; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

validate() { # NAME KUSTOMIZATION_DIR  (explicit returns: set -e is off inside `validate || …`)
  kubectl kustomize "$2" >"$work/$1.yaml" || { echo "$1: kustomize build failed" >&2; return 1; }
  echo "$1: $(grep -c '^kind:' "$work/$1.yaml") resources, Kubernetes $KUBERNETES_VERSION, strict"
  "$KUBERNETES_VALIDATE" --strict --quiet --kubernetes-version "$KUBERNETES_VERSION" "$work/$1.yaml" || return 1
}

status=0
validate base "$base" || status=1
for component in "$base"/components/*/; do
  [ -f "$component/kustomization.yaml" ] || continue
  name="base+$(basename "$component")"
  mkdir -p "$work/$name"
  # kustomize takes only relative paths to other kustomizations.
  printf 'resources:\n  - %s\ncomponents:\n  - %s\n' \
    "$(realpath --relative-to="$work/$name" "$base")" "$(realpath --relative-to="$work/$name" "$component")" \
    >"$work/$name/kustomization.yaml"
  validate "$name" "$work/$name" || status=1
done
exit "$status"
