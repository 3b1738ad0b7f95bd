#!/usr/bin/env bash
# Runs the third-party SCIM checker (scim2-tester, through scim2-cli's `scim2 test`) against
# the demo: the bundled legacy API and the sidecar, as a new user would start them.
#
# Installs pinned versions into .venv/ on first use. Fails on any line that is not SUCCESS.
# Usage: scripts/conformance.sh [path/to/scim-sidecar]
set -euo pipefail
cd "$(dirname "$0")/.."

SCIM2_CLI_VERSION=0.6.0
SCIM2_TESTER_VERSION=0.5.2
BIN=${1:-target/debug/scim-sidecar}
VENV=.venv

if [ ! -x "$BIN" ]; then
  echo "conformance: $BIN not found; build it first (cargo build)" >&2
  exit 2
fi
if ! "$VENV/bin/scim2" --help >/dev/null 2>&1 \
  || ! "$VENV/bin/pip" show scim2-tester 2>/dev/null | grep -qx "Version: $SCIM2_TESTER_VERSION"; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    "scim2-cli==$SCIM2_CLI_VERSION" "scim2-tester==$SCIM2_TESTER_VERSION"
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
key="scs_conformance_$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
log=$(mktemp)
"$BIN" demo --listen "127.0.0.1:$port" --key "$key" >"$log" 2>&1 &
demo=$!
trap 'kill $demo 2>/dev/null || true; wait $demo 2>/dev/null || true; rm -f "$log"' EXIT

for _ in $(seq 1 100); do
  if curl -s -o /dev/null "http://127.0.0.1:$port/scim/v2/ServiceProviderConfig"; then break; fi
  sleep 0.1
done

out=$(mktemp)
SCIM_CLI_HEADERS="Authorization: Bearer $key" \
  "$VENV/bin/scim2" --url "http://127.0.0.1:$port/scim/v2" test >"$out" 2>&1 || true
status_lines=$(grep -E '^[A-Z_]+ ' "$out" || true)
total=$(printf '%s\n' "$status_lines" | grep -c . || true)
passed=$(printf '%s\n' "$status_lines" | grep -c '^SUCCESS ' || true)
failed=$((total - passed))
if [ "$total" -eq 0 ] || [ "$failed" -ne 0 ]; then
  grep -v '^SUCCESS ' "$out" | head -100
  echo "--- demo log ---"
  tail -50 "$log"
  rm -f "$out"
  echo "conformance: $passed passed, $failed failed"
  exit 1
fi
rm -f "$out"
echo "conformance: $passed passed, 0 failed"
