# Sourced by the check scripts: where install-validators.sh puts each tool.
# Any of them can be pointed elsewhere (e.g. a system promtool) by setting it first.
VALIDATORS_DIR="${VALIDATORS_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.cache/validators}"
VALIDATORS_VENV="$VALIDATORS_DIR/venv"
VALIDATORS_BIN="$VALIDATORS_DIR/bin"
PROMTOOL="${PROMTOOL:-$VALIDATORS_BIN/promtool}"
KUBERNETES_VALIDATE="${KUBERNETES_VALIDATE:-$VALIDATORS_VENV/bin/kubernetes-validate}"
HADOLINT="${HADOLINT:-$VALIDATORS_VENV/bin/hadolint}"
