#!/usr/bin/env bash
# Builds scim-sidecar and starts the demo: the bundled legacy API and the sidecar together.
# Extra arguments go to `scim-sidecar demo` (see `--help`).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
cargo run --release --locked -- demo "$@"
