#!/usr/bin/env bash
# shellcheck disable=SC2317  # functions here are called indirectly (step, trap)
# Every test: Rust unit and integration tests, the site build, and the Playwright suite (real
# Chromium pages in real calls) in a network namespace that has only loopback.
#
#   scripts/test.sh [playwright args...]     e.g. scripts/test.sh --grep guest
#
# Honours CARGO_TARGET_DIR (default: target/ in the repo).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
if [[ -d "$HOME/.cargo/bin" && ":$PATH:" != *":$HOME/.cargo/bin:"* ]]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi
# wasm-opt 132 from npm (installed by setup.sh) ahead of any older one, e.g. Debian's 108.
export PATH="$PWD/scripts/wasm-opt/node_modules/.bin:$PATH"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# Relative target dirs are relative to the repo; make it absolute so end2end/ sees the same one.
if [[ -n ${CARGO_TARGET_DIR:-} ]]; then
  [[ $CARGO_TARGET_DIR == /* ]] || CARGO_TARGET_DIR="$ROOT/$CARGO_TARGET_DIR"
  export CARGO_TARGET_DIR
fi
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}

say() { echo "test.sh: $*" >&2; }
results=()
failed=0
# step NAME COMMAND...: runs COMMAND, records "NAME ok 12s" or "NAME FAILED 12s".
step() {
  local name=$1 start rc
  shift
  say "=== $name: $*"
  start=$SECONDS
  set +e
  "$@"
  rc=$?
  set -e
  if [[ $rc -eq 0 ]]; then
    results+=("$name ok $((SECONDS - start))s")
  else
    results+=("$name FAILED(rc=$rc) $((SECONDS - start))s")
    failed=1
  fi
  return "$rc"
}
skip() {
  results+=("$1 skipped")
  say "=== $1: skipped ($2)"
}
# "N passed, N failed" over every runner: cargo's "test result:" lines and Playwright's totals.
count() {
  [[ -n ${COUNTS:-} && -f $COUNTS ]] || return 0
  awk '
    /^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
    /^ *[0-9]+ passed \(/ { p += $1 }
    /^ *[0-9]+ failed$/ { f += $1 }
    /^ *[0-9]+ flaky$/ { f += $1 }
    END { printf "tests: %d passed, %d failed\n", p, f }
  ' "$COUNTS"
  rm -f "$COUNTS"
}
summary() {
  local verdict=PASS joined
  [[ $failed -eq 0 ]] || verdict=FAIL
  joined=$(printf '%s; ' "${results[@]}")
  echo "test.sh: $verdict in ${SECONDS}s: ${joined%; }"
  count
}
trap summary EXIT

# --- 1. tools -------------------------------------------------------------------------------
if ! step setup bash scripts/setup.sh; then
  exit 1
fi

# --- 2. cargo test ----------------------------------------------------------------------------
# The same compile-time environment as cargo-leptos 0.3.10's debug server build: it sets
# RUSTFLAGS="<configured rustflags> --cfg erase_components" and LEPTOS_OUTPUT_NAME (read at
# compile time by leptos and leptos_config via option_env!). With the `loadgen` feature, so the
# benchmark's load generator (`src/bin/loadgen`) is tested too.
# Only this step sees these variables: cargo-leptos appends its flag to an inherited RUSTFLAGS,
# which would make a different fingerprint and rebuild everything.
output_name=$(sed -n 's/^output-name *= *"\(.*\)"/\1/p' Cargo.toml | head -n1)
# Runs cargo_test, keeping a copy of its output for the pass/fail count at the end.
cargo_test_logged() {
  set -o pipefail
  cargo_test 2>&1 | tee -a "$COUNTS"
}
cargo_test() {
  env -u LEPTOS_WATCH \
    RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }--cfg erase_components" \
    LEPTOS_OUTPUT_NAME="${output_name:-parley}" \
    cargo test --features ssr,loadgen
}
COUNTS=$(mktemp "${TMPDIR:-/tmp}/parley-counts.XXXXXX")
step cargo-test cargo_test_logged || true

# --- 2b. lint ---------------------------------------------------------------------------------
# Formatting and clippy (server and browser code), warnings as errors. Its own target folder:
# clippy's flags differ from the builds', and sharing one would rebuild both each time.
lint() {
  cargo fmt --check &&
    env -u LEPTOS_WATCH CARGO_TARGET_DIR="$TARGET_DIR/clippy" \
      cargo clippy --features ssr --tests -- -D warnings &&
    env -u LEPTOS_WATCH CARGO_TARGET_DIR="$TARGET_DIR/clippy" \
      cargo clippy --features hydrate --lib --target wasm32-unknown-unknown -- -D warnings
}
step lint lint || true

# --- 3. build the site (server binary + wasm + css) ------------------------------------------
# The release build, because that is what users deploy (`scripts/run.sh --release`): a suite
# that only tested debug builds once hid a release wasm that never started.
# PARLEY_E2E_PROFILE=debug builds and tests the debug site instead (quicker while iterating).
profile=${PARLEY_E2E_PROFILE:-release}
export PARLEY_E2E_PROFILE=$profile
build_args=()
# --precompress: the .br and .gz copies of the wasm, JS and CSS the server sends (see run.sh).
[[ $profile == release ]] && build_args+=(--release --precompress)
built=0
if step build cargo leptos build "${build_args[@]}"; then built=1; fi

# --- 4. end-to-end ----------------------------------------------------------------------------
if [[ $built -eq 1 ]]; then
  # The config makes a throwaway database under here; removed when we exit.
  PARLEY_E2E_DB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/parley-e2e.XXXXXX")
  export PARLEY_E2E_DB_DIR
  trap 'rm -rf "$PARLEY_E2E_DB_DIR"; summary' EXIT
  [[ -x "$TARGET_DIR/$profile/parley" ]] || say "warning: $TARGET_DIR/$profile/parley is missing"
  e2e() {
    if command -v unshare >/dev/null 2>&1 && command -v ip >/dev/null 2>&1 && unshare -n true 2>/dev/null; then
      # Only loopback: every ICE candidate is 127.0.0.1, nothing leaves the machine, and port
      # 3000 cannot clash with a dev server running outside.
      unshare -n bash -c 'ip link set lo up && cd end2end && exec npx playwright test "$@"' bash "$@"
    else
      say "WARNING: cannot create a network namespace (unshare -n); running Playwright on the host network"
      (cd end2end && exec npx playwright test "$@")
    fi
  }
  e2e_logged() {
    set -o pipefail
    e2e "$@" 2>&1 | tee -a "$COUNTS"
  }
  step e2e e2e_logged "$@" || true
else
  skip e2e "the build failed"
fi

exit "$failed"
