#!/usr/bin/env bash
# Parley next to peerjs-server, side by side, in one run (README, "Performance").
#
#   scripts/bench.sh [--scaling | --cluster] [loadgen flags]   e.g. --pairs 100 --windows 4,16 --idle 10000
#   scripts/bench.sh --call-setup   call set-up in Chromium (scripts/call-setup.sh)
#   scripts/bench.sh --spread N     N idle sockets open at once over three Parley instances
#
# Builds the release server and our load generator (`--features ssr,loadgen`), installs
# peerjs-server (`peer@1.0.2`, npm) into a temporary folder, starts it, the generator's bare
# relay (`loadgen bare-relay`) and Parley, all pinned to core 0 (`taskset -c 0`), the generator
# on core 1, and prints a Markdown table: msgs/s, latency p50/p99/p999, RSS per connection, and
# the ratios to peerjs-server and to the bare relay; then the idle-sockets table. Parley's limits
# are raised through its environment only; every check stays on. --scaling then runs Parley
# at window 16 on core 0 (generator on core 1) and on cores 0,1 (generator unpinned). `--idle N`
# opens up to N idle sockets; past the server's open-files limit it reports how many it reached.
# `--rounds N` runs every relay measurement N times, the servers taking turns, and reports each
# server's median round and every round's ratios (for a machine whose speed drifts).
# --cluster instead compares one Parley with two Parley instances sharing a redis-server
# (all on core 0): each pair's second client connects to the second instance, so every
# message crosses instances through Redis. Needs redis-server.
# --spread N holds N idle sockets open at once on this machine, where one process may open only
# so many files (`ulimit -Hn`): three Parley instances sharing a redis-server (as behind a load
# balancer), each with its own generator holding a third of the sockets until all are open;
# it prints the sockets open at once (and what `ss` counts), and each instance's RSS per socket.
# Environment: CARGO_TARGET_DIR (default target/), PEER_VERSION (default 1.0.2).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
case "${1:-}" in -h | --help)
  sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
  ;;
--call-setup)
  shift
  exec scripts/call-setup.sh "$@"
  ;;
esac
scaling=0
cluster=0
spread=0
if [[ ${1:-} == --spread ]]; then
  spread=${2:?--spread needs a number of sockets}
  shift 2
  command -v redis-server >/dev/null || { echo "bench.sh: --spread needs redis-server" >&2; exit 1; }
elif [[ ${1:-} == --scaling ]]; then
  scaling=1
  shift
elif [[ ${1:-} == --cluster ]]; then
  cluster=1
  shift
  command -v redis-server >/dev/null || { echo "bench.sh: --cluster needs redis-server" >&2; exit 1; }
fi
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
if [[ $spread == 0 ]]; then
  echo "bench.sh: npm install peer@$version into $work" >&2
  (cd "$work" && npm init -y >/dev/null 2>&1 &&
    npm install --no-audit --no-fund --loglevel=error "peer@$version" >/dev/null)
fi

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

# start_parley NAME CORES [VAR=VALUE…]: sets parley_port and parley_pid.
start_parley() {
  parley_port=$(free_port)
  env "${@:3}" LEPTOS_SITE_ADDR="127.0.0.1:$parley_port" DATABASE_URL="sqlite://$work/$1.db" \
    LEPTOS_OUTPUT_NAME=parley RUST_LOG=warn \
    MSG_RATE=1000000 MSG_BURST=1000000 SOCKETS_PER_IP=1000000 SOCKETS_PER_USER=1000000 \
    CONCURRENT_LIMIT=1000000 ALIVE_TIMEOUT=3600000 \
    taskset -c "$2" "$target_dir/release/parley" >"$work/$1.log" 2>&1 &
  pids+=($!)
  parley_pid=$!
  wait_port "$parley_port"
}
start_redis() {
  redis_port=$(free_port)
  taskset -c 0 redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
    >"$work/redis.log" 2>&1 &
  pids+=($!)
  wait_port "$redis_port"
}

if [[ $spread -gt 0 ]]; then
  instances=3
  each=$(((spread + instances - 1) / instances))
  start_redis
  hold="$work/hold"
  mkdir "$hold"
  ports=() gens=()
  for n in $(seq 1 "$instances"); do
    start_parley "node-$n" 0,1 REDIS_URL="redis://127.0.0.1:$redis_port" NODE_ID="n$n"
    ports+=("$parley_port")
    "$target_dir/release/loadgen" --target "parley $n=ws://127.0.0.1:$parley_port,$parley_pid" \
      --idle "$each" --windows none --hold "$hold" "$@" >"$work/gen-$n.md" 2>"$work/gen-$n.log" &
    gens+=($!)
    pids+=($!)
  done
  echo "bench.sh: $instances parley instances with redis-server, $each idle sockets each;" \
    "open-files limit per process $(ulimit -Hn)" >&2
  # Until every generator holds its sockets (or one of them has ended: it failed).
  while [[ $(find "$hold" -name '*.ready' | wc -l) -lt $instances ]]; do
    for g in "${gens[@]}"; do
      kill -0 "$g" 2>/dev/null || { cat "$work"/gen-*.log >&2; exit 1; }
    done
    sleep 0.2
  done
  held=$(cat "$hold"/*.ready | awk '{ s += $1 } END { print s }')
  established=$(ss -Htn state established | awk -v ports=" ${ports[*]} " '
    { n = split($3, a, ":"); if (index(ports, " " a[n] " ")) c++ } END { print c + 0 }')
  touch "$hold/release"
  for g in "${gens[@]}"; do wait "$g"; done
  echo
  echo "Idle sockets open at once: $held over $instances instances (ss counted $established" \
    "established connections to them)."
  echo
  grep -h '^|' "$work/gen-1.md"
  for n in $(seq 2 "$instances"); do grep -h '^| parley' "$work/gen-$n.md"; done
  grep -h 'opening stopped' "$work"/gen-*.md || true
  exit 0
fi

peer_port=$(free_port)
taskset -c 0 node "$work/node_modules/peer/dist/bin/peerjs.js" --host 127.0.0.1 \
  --port "$peer_port" --concurrent_limit 1000000 --alive_timeout 3600000 \
  >"$work/peerjs.log" 2>&1 &
pids+=($!)
peer_pid=$!

bare_port=$(free_port)
taskset -c 0 "$target_dir/release/loadgen" bare-relay --addr "127.0.0.1:$bare_port" \
  >"$work/bare.log" 2>&1 &
pids+=($!)
bare_pid=$!

start_parley parley 0

if [[ $cluster == 1 ]]; then
  # One instance, then two sharing Redis, each pair split across the two.
  start_redis
  single_port=$parley_port single_pid=$parley_pid
  start_parley node-a 0 REDIS_URL="redis://127.0.0.1:$redis_port" NODE_ID=a
  a_port=$parley_port a_pid=$parley_pid
  start_parley node-b 0 REDIS_URL="redis://127.0.0.1:$redis_port" NODE_ID=b
  b_port=$parley_port
  echo "bench.sh: parley, and two parley instances with redis-server, on core 0;" \
    "generator on core $gen_core; load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  taskset -c "$gen_core" "$target_dir/release/loadgen" \
    --target "parley=ws://127.0.0.1:$single_port,$single_pid" \
    --target "parley, 2 instances + Redis=ws://127.0.0.1:$a_port,$a_pid+ws://127.0.0.1:$b_port" \
    --idle 0 "$@"
  exit 0
fi

wait_port "$peer_port"
wait_port "$bare_port"
echo "bench.sh: peerjs-server $version (pid $peer_pid), bare relay (pid $bare_pid) and parley" \
  "(pid $parley_pid) on core 0, generator on core $gen_core;" \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
taskset -c "$gen_core" "$target_dir/release/loadgen" \
  --target "peerjs-server $version=ws://127.0.0.1:$peer_port,$peer_pid" \
  --target "bare relay=ws://127.0.0.1:$bare_port,$bare_pid" \
  --target "parley=ws://127.0.0.1:$parley_port,$parley_pid" "$@" || {
  for log in "$work"/*.log; do
    echo "--- last lines of $log" >&2
    tail -n 5 "$log" >&2
  done
  exit 1
}
[[ $scaling == 1 ]] || exit 0

# Scaling: the same Parley build on one core, then on two; the other servers are idle by now.
# msgs/s, server CPU and msgs per server CPU-second of the parley row of a run's table.
rate() { awk -F'|' '$2 ~ /parley/ { gsub(/ /, "", $4); gsub(/ /, "", $10); gsub(/^ +| +$/, "", $9); print $4 "|" $9 "|" $10 }'; }
kill "$peer_pid" "$bare_pid" "$parley_pid" 2>/dev/null || true
echo "bench.sh: scaling, parley on core 0, generator on core $gen_core" >&2
start_parley one-core 0
one=$(taskset -c "$gen_core" "$target_dir/release/loadgen" \
  --target "parley=ws://127.0.0.1:$parley_port,$parley_pid" "$@" --windows 16 --idle 0 | rate)
kill "$parley_pid" 2>/dev/null || true
echo "bench.sh: scaling, parley on cores 0,1, generator unpinned" >&2
start_parley two-cores 0,1
two=$("$target_dir/release/loadgen" \
  --target "parley=ws://127.0.0.1:$parley_port,$parley_pid" "$@" --windows 16 --idle 0 | rate)
echo
echo "Scaling (window 16): Parley on one core against two. With $cores cores the generator"
echo "shares the two cores with Parley in the second run; messages per server CPU-second"
echo "compare what each message costs the server in both."
echo
echo "| parley on | generator on | msgs/s | server CPU | msgs per server CPU-second |"
echo "|---|---|---|---|---|"
echo "| core 0 | core $gen_core | ${one//|/ | } |"
echo "| cores 0,1 | unpinned | ${two//|/ | } |"
echo
awk -v a="${one//,/}" -v b="${two//,/}" 'BEGIN {
  split(a, x, "|"); split(b, y, "|")
  printf "Two cores: %.2f× one core'"'"'s msgs/s, %.2f× its msgs per server CPU-second.\n", y[1] / x[1], y[3] / x[3]
}'
