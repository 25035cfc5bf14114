#!/usr/bin/env bash
# Builds and installs pgvector for the local PostgreSQL 15 (Debian bookworm).
#
# pgvector is not packaged for bookworm's PostgreSQL 15, but trixie's *source*
# package builds against it. We only add a `deb-src` line for trixie, so no
# trixie binary package can ever be installed from it (those would pull in a
# newer libc). Idempotent: exits early when vector.control is already present.
#
# Env:
#   PG_MAJOR            PostgreSQL major version to build for (default 15)
#   PGVECTOR_OPTFLAGS   compiler flags passed as OPTFLAGS (pgvector defaults to
#                       -march=native; set to "" when building an image that
#                       runs on other CPUs)
set -euo pipefail

PG_MAJOR="${PG_MAJOR:-15}"
PG_CONFIG="/usr/lib/postgresql/${PG_MAJOR}/bin/pg_config"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

sharedir() {
  if [ -x "$PG_CONFIG" ]; then "$PG_CONFIG" --sharedir; else echo "/usr/share/postgresql/${PG_MAJOR}"; fi
}

if [ -f "$(sharedir)/extension/vector.control" ]; then
  echo "pgvector already installed for PostgreSQL ${PG_MAJOR}: $(sharedir)/extension/vector.control"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive

mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
mirror="${mirror:-http://deb.debian.org/debian}"
src_list=/etc/apt/sources.list.d/trixie-src.list
if [ ! -f "$src_list" ] || ! grep -q "deb-src .* trixie main" "$src_list"; then
  echo "deb-src $mirror trixie main" | $SUDO tee "$src_list" >/dev/null
fi

$SUDO apt-get update
# dpkg-dev provides dpkg-source (used by apt-get source); build-essential the compiler.
$SUDO apt-get install -y --no-install-recommends "postgresql-server-dev-${PG_MAJOR}" dpkg-dev build-essential

workdir=$(mktemp -d /tmp/pgvector-build.XXXXXX)
trap 'rm -rf "$workdir"' EXIT
cd "$workdir"
apt-get source pgvector
srcdir=$(find . -maxdepth 1 -type d -name 'pgvector-*' | head -n 1)
if [ -z "$srcdir" ]; then
  echo "apt-get source pgvector did not produce a pgvector-* directory" >&2
  exit 1
fi
echo "building $srcdir against $("$PG_CONFIG" --version)"

make_args=(PG_CONFIG="$PG_CONFIG")
if [ -n "${PGVECTOR_OPTFLAGS+set}" ]; then make_args+=(OPTFLAGS="$PGVECTOR_OPTFLAGS"); fi

make -C "$srcdir" "${make_args[@]}"
$SUDO make -C "$srcdir" "${make_args[@]}" install

test -f "$(sharedir)/extension/vector.control"
echo "pgvector installed: $(grep default_version "$(sharedir)/extension/vector.control")"
