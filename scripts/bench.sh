#!/usr/bin/env bash
# Measures what the sidecar adds over the legacy API, side by side in one run: the same read
# straight from the bundled legacy API, then through the sidecar with the cache off and on,
# and a pushed-down filter. Needs wrk (apt-get install wrk). Loopback only, bounded in time.
# Usage: scripts/bench.sh [seconds per run, default 10] [connections, default 16]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-16}
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 2; }
cargo build --release --locked --quiet
bin=target/release/scim-sidecar

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
token=bench-legacy-token
key=scs_bench_key
lport=$(free_port)
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

"$bin" legacy-api --listen "127.0.0.1:$lport" --token "$token" >"$work/legacy.log" 2>&1 &
pids+=($!)
legacy="http://127.0.0.1:$lport"
for _ in $(seq 1 100); do curl -s -o /dev/null "$legacy/" && break; sleep 0.1; done
id=$(curl -s -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","username":"bench@example.com","given_name":"Bench"}' \
  "$legacy/v1/orgs/bench/members" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

start_sidecar() { # $1 = cache ttl in ms; sets $port (not a subshell, so cleanup sees the pid)
  port=$(free_port)
  local demo_mapping
  demo_mapping=$(sed -n '/^\[\[mapping\]\]/,/^\[\[tenants\]\]/p' config/demo.toml | sed '$d')
  cat >"$work/sidecar-$1.toml" <<TOML
[server]
listen = "127.0.0.1:$port"
threads = 2
[legacy]
base_url = "$legacy"
token = { value = "$token" }
max_concurrency = 64
[cache]
ttl_ms = $1
$demo_mapping
[[tenants]]
name = "bench"
org = "bench"
keys = [{ sha256 = "$(printf '%s' "$key" | sha256sum | cut -d' ' -f1)" }]
TOML
  SCIM_SIDECAR_LOG=warn "$bin" run --config "$work/sidecar-$1.toml" >"$work/sidecar-$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
}
start_sidecar 0; nocache=$port
start_sidecar 60000; cached=$port

run() { # name, url, auth
  local out; out=$(wrk -t2 -c"$conns" -d"${secs}s" --latency -H "Authorization: Bearer $3" "$2")
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  if grep -q "Non-2xx" <<<"$out"; then echo "bench: $1 had errors:" >&2; grep "Non-2xx" <<<"$out" >&2; fi
  printf '%-34s %10s req/s   p50 %8s   p99 %8s\n' "$1" "$rps" "$p50" "$p99"
  echo "$rps" >"$work/rps-$1"
}

echo "wrk: ${secs}s per run, $conns connections, 2 threads; all on this machine"
run legacy-get-member "$legacy/v1/orgs/bench/members/$id" "$token"
run sidecar-get-user-no-cache "http://127.0.0.1:$nocache/scim/v2/Users/$id" "$key"
run sidecar-get-user-cached "http://127.0.0.1:$cached/scim/v2/Users/$id" "$key"
run legacy-lookup-by-username "$legacy/v1/orgs/bench/members?offset=0&limit=100&username=bench%40example.com" "$token"
run sidecar-filter-username-eq "http://127.0.0.1:$nocache/scim/v2/Users?filter=userName%20eq%20%22bench%40example.com%22" "$key"

ratio() { python3 -c "print(f'{float(open(\"$work/rps-$1\").read())/float(open(\"$work/rps-$2\").read()):.2f}')"; }
echo
echo "throughput ratios (sidecar / legacy, same run):"
echo "  GET user, no cache:    $(ratio sidecar-get-user-no-cache legacy-get-member)"
echo "  GET user, cached:      $(ratio sidecar-get-user-cached legacy-get-member)"
echo "  filter userName eq:    $(ratio sidecar-filter-username-eq legacy-lookup-by-username)"
echo "resident memory after the runs:"
for f in "$work"/sidecar-*.toml; do
  pid=$(pgrep -f "run --config $f" || true)
  [ -n "$pid" ] && echo "  $(basename "$f" .toml): $(( $(awk '/VmRSS/ {print $2}' /proc/"$pid"/status) / 1024 )) MiB"
done
