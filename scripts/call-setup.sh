#!/usr/bin/env bash
# Call set-up time in Chromium, and the size of the page's wasm (README, "Performance").
#
#   scripts/bench.sh --call-setup        (or scripts/call-setup.sh)
#
# Builds the release site (`cargo leptos build --release --precompress`), prints the wasm's size (raw and
# gzipped), then runs end2end/bench/call-setup.spec.ts against the release server, in a
# network namespace that has only loopback when it can: a guest waits in a room, a second
# guest opens it; printed are the median and p90 of "navigation → both tiles connected" and of
# each step on the way. Then end2end/bench/floor.spec.ts: the same, alternating the app with a
# plain JavaScript newcomer that does only what a call needs, for the floor this machine's
# Chromium sets. Not part of the test suite. Environment: RUNS (default 10), LOWRES=1
# (the test hooks' small, silent camera, for less CPU per page), CARGO_TARGET_DIR.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ -d "$HOME/.cargo/bin" && ":$PATH:" != *":$HOME/.cargo/bin:"* ]]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi
# wasm-opt 132 from npm (installed by setup.sh) ahead of any older one.
export PATH="$PWD/scripts/wasm-opt/node_modules/.bin:$PATH"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PARLEY_E2E_PROFILE=release
if [[ -n ${CARGO_TARGET_DIR:-} && $CARGO_TARGET_DIR != /* ]]; then
  export CARGO_TARGET_DIR="$PWD/$CARGO_TARGET_DIR"
fi

echo "call-setup.sh: building the release site" >&2
cargo leptos build --release --precompress
wasm=target/site/pkg/parley.wasm
echo "call-setup.sh: $wasm: $(stat -c %s "$wasm") bytes, $(gzip -9 <"$wasm" | wc -c) gzipped (-9)"

PARLEY_E2E_DB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/parley-setup.XXXXXX")
export PARLEY_E2E_DB_DIR
trap 'rm -rf "$PARLEY_E2E_DB_DIR"' EXIT
if command -v unshare >/dev/null && command -v ip >/dev/null && unshare -n true 2>/dev/null; then
  unshare -n bash -c 'ip link set lo up && cd end2end && exec npx playwright test -c bench.config.ts'
else
  echo "call-setup.sh: no network namespace (unshare -n); on the host network" >&2
  (cd end2end && exec npx playwright test -c bench.config.ts)
fi
