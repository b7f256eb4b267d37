#!/usr/bin/env bash
# Parley next to peerjs-server, side by side, in one run (README, "Performance").
#
#   scripts/bench.sh [loadgen flags]      e.g. --pairs 100 --windows 4,16 --secs 5 --idle 10000
#
# Builds the release server and our load generator (`--features ssr,loadgen`), installs
# peerjs-server (`peer@1.0.2`, npm) into a temporary folder, starts both servers pinned to core 0
# (`taskset -c 0`) and the generator on core 1, and prints a Markdown table: msgs/s, latency
# p50/p99/p999, RSS per connection, and Parley's ratio to peerjs-server; then the idle-sockets
# table. Parley's limits are raised through its environment only; every check stays on.
# Environment: CARGO_TARGET_DIR (default target/), PEER_VERSION (default 1.0.2).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
case "${1:-}" in -h | --help)
  sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
  ;;
esac
if [[ -d "$HOME/.cargo/bin" && ":$PATH:" != *":$HOME/.cargo/bin:"* ]]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi
for tool in cargo node npm taskset; do
  command -v "$tool" >/dev/null || { echo "bench.sh: needs $tool" >&2; exit 1; }
done
cores=$(nproc)
[[ $cores -ge 2 ]] || echo "bench.sh: only $cores core: servers and generator share it" >&2
gen_core=$((cores >= 2 ? 1 : 0))

target_dir=${CARGO_TARGET_DIR:-$PWD/target}
echo "bench.sh: building (release, features ssr,loadgen) into $target_dir" >&2
LEPTOS_OUTPUT_NAME=parley cargo build --release --features ssr,loadgen --bins --quiet

work=$(mktemp -d "${TMPDIR:-/tmp}/parley-bench.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

version=${PEER_VERSION:-1.0.2}
echo "bench.sh: npm install peer@$version into $work" >&2
(cd "$work" && npm init -y >/dev/null 2>&1 &&
  npm install --no-audit --no-fund --loglevel=error "peer@$version" >/dev/null)

# Ten thousand idle sockets and more: both servers and the generator need the descriptors.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
wait_port() {
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "bench.sh: nothing listening on port $1; see $work/*.log" >&2
  return 1
}

peer_port=$(free_port)
taskset -c 0 node "$work/node_modules/peer/dist/bin/peerjs.js" --host 127.0.0.1 \
  --port "$peer_port" --concurrent_limit 1000000 --alive_timeout 3600000 \
  >"$work/peerjs.log" 2>&1 &
pids+=($!)
peer_pid=$!

parley_port=$(free_port)
LEPTOS_SITE_ADDR="127.0.0.1:$parley_port" DATABASE_URL="sqlite://$work/parley.db" \
  LEPTOS_OUTPUT_NAME=parley RUST_LOG=warn \
  MSG_RATE=1000000 MSG_BURST=1000000 SOCKETS_PER_IP=1000000 SOCKETS_PER_USER=1000000 \
  CONCURRENT_LIMIT=1000000 ALIVE_TIMEOUT=3600000 \
  taskset -c 0 "$target_dir/release/parley" >"$work/parley.log" 2>&1 &
pids+=($!)
parley_pid=$!

wait_port "$peer_port"
wait_port "$parley_port"
echo "bench.sh: peerjs-server $version (pid $peer_pid) and parley (pid $parley_pid) on core 0," \
  "generator on core $gen_core; load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
taskset -c "$gen_core" "$target_dir/release/loadgen" \
  --target "peerjs-server=ws://127.0.0.1:$peer_port,$peer_pid" \
  --target "parley=ws://127.0.0.1:$parley_port,$parley_pid" "$@"
