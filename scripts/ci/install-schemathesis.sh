#!/usr/bin/env bash
# Installs schemathesis (PyPI) into a venv under .cache/ (gitignored), never
# into the system; the product needs no Python, only this CI check does.
# Idempotent: with the pinned version in place it only prints the version.
set -euo pipefail
cd "$(dirname "$0")/../.."

# Pinned so a new release cannot turn CI red (or green) on its own; bump on purpose.
SCHEMATHESIS_VERSION=4.32.5
VENV=.cache/schemathesis/venv

if ! python3 -m venv --help >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null && apt-get install -y -q python3 python3-venv >/dev/null
fi
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
if [ "$("$VENV/bin/pip" freeze 2>/dev/null | grep -i '^schemathesis==' || true)" != "schemathesis==$SCHEMATHESIS_VERSION" ]; then
  "$VENV/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
"$VENV/bin/schemathesis" --version
