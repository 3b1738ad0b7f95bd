#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit and integration tests, then the third-party
# SCIM conformance checker against the demo.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
cargo test --locked
scripts/conformance.sh target/debug/scim-sidecar
