#!/usr/bin/env bash
# Builds the embedder and search images ONCE for linux/amd64 and linux/arm64,
# pushes them to REGISTRY_PRIMARY, then copies the very same manifest lists to
# REGISTRY_SECONDARY, so both registries serve byte-identical images under one
# digest. Prints "<image> <digest>" for each; exits non-zero if any registry
# reports a different digest than the build produced.
#
#   REGISTRY_PRIMARY=registry-a.example.com/polysearch \
#   REGISTRY_SECONDARY=registry-b.example.com/polysearch \
#   VERSION=1.2.3 scripts/release-images.sh
#
# Optional: PLATFORMS (default linux/amd64,linux/arm64), MODEL (embedder model,
# default multilingual-e5-small), NODE_IMAGE (base image, e.g. pinned by digest).
# Needs docker with buildx (and QEMU or native builders for foreign platforms),
# node, and a login to both registries.
set -euo pipefail

: "${REGISTRY_PRIMARY:?set REGISTRY_PRIMARY, e.g. registry-a.example.com/polysearch}"
: "${REGISTRY_SECONDARY:?set REGISTRY_SECONDARY, e.g. registry-b.example.com/polysearch}"
PLATFORMS="${PLATFORMS:-linux/amd64,linux/arm64}"
MODEL="${MODEL:-multilingual-e5-small}"
VERSION="${VERSION:-$(git describe --tags --always)}"
# The Dockerfiles set this before every npm ci; exported too for any npm run here.
export ONNXRUNTIME_NODE_INSTALL_CUDA=skip

cd "$(dirname "$0")/.."
workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT

digest_in_registry() {
  docker buildx imagetools inspect "$1" --format '{{.Manifest.Digest}}'
}

# Digest-preserving copy of a whole manifest list. crane and skopeo copy bytes
# as they are; imagetools re-creates the index, which normally keeps the digest
# but is verified below like the others.
copy_image() {
  local from="$1" to="$2"
  if command -v crane >/dev/null; then
    crane copy "$from" "$to"
  elif command -v skopeo >/dev/null; then
    skopeo copy --all --preserve-digests "docker://$from" "docker://$to"
  else
    docker buildx imagetools create --tag "$to" "$from"
  fi
}

release() {
  local name="$1" dockerfile="$2" tag="$3"
  shift 3
  local meta="$workdir/$name.json"
  local build_args=("$@")
  if [[ -n "${NODE_IMAGE:-}" ]]; then build_args+=(--build-arg "NODE_IMAGE=$NODE_IMAGE"); fi

  docker buildx build \
    --platform "$PLATFORMS" \
    --file "$dockerfile" \
    "${build_args[@]}" \
    --tag "$REGISTRY_PRIMARY/$name:$tag" \
    --metadata-file "$meta" \
    --push \
    .

  local digest
  digest="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))["containerimage.digest"] ?? "")' "$meta")"
  if [[ ! "$digest" =~ ^sha256:[0-9a-f]{64}$ ]]; then
    echo "release: no image digest in the build metadata of $name" >&2
    return 1
  fi

  copy_image "$REGISTRY_PRIMARY/$name@$digest" "$REGISTRY_SECONDARY/$name:$tag"

  local primary secondary
  primary="$(digest_in_registry "$REGISTRY_PRIMARY/$name:$tag")"
  secondary="$(digest_in_registry "$REGISTRY_SECONDARY/$name:$tag")"
  if [[ "$primary" != "$digest" || "$secondary" != "$digest" ]]; then
    echo "release: digest mismatch for $name: built $digest, $REGISTRY_PRIMARY has $primary, $REGISTRY_SECONDARY has $secondary" >&2
    return 1
  fi
  echo "$name:$tag $digest"
  if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
    echo "- \`$name:$tag\` \`$digest\` in $REGISTRY_PRIMARY and $REGISTRY_SECONDARY" >>"$GITHUB_STEP_SUMMARY"
  fi
}

embedder_tag="$VERSION"
if [[ "$MODEL" != "multilingual-e5-small" ]]; then embedder_tag="$VERSION-${MODEL#multilingual-}"; fi

release polysearch-embedder deploy/embedder.Dockerfile "$embedder_tag" --build-arg "MODEL=$MODEL"
release polysearch-search deploy/search.Dockerfile "$VERSION"
