#!/usr/bin/env bash
# Installs what building, running and testing parley needs, skipping whatever is already
# present at the right version (cargo-leptos alone costs 13-25 minutes to compile).
#
#   scripts/setup.sh               everything: Rust tools, wasm-opt, Chromium, Playwright (npm),
#                                  and the PostgreSQL and Redis servers the Rust tests start
#   scripts/setup.sh --no-browser  only what building and running the site needs
#
# Never downloads a browser build: the end-to-end tests use Debian's /usr/bin/chromium.
set -euo pipefail

CARGO_LEPTOS_VERSION=0.3.10

browser=1
for arg in "$@"; do
  case "$arg" in
    --no-browser) browser=0 ;;
    -h | --help)
      sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "setup.sh: unknown option $arg (try --help)" >&2
      exit 2
      ;;
  esac
done

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export DEBIAN_FRONTEND=noninteractive
if [[ -d "$HOME/.cargo/bin" && ":$PATH:" != *":$HOME/.cargo/bin:"* ]]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi

say() { echo "setup: $*" >&2; }
die() {
  echo "setup: error: $*" >&2
  exit 1
}

# One setup at a time on this machine (run.sh and test.sh may start together).
lock_dir="${XDG_CACHE_HOME:-$HOME/.cache}"
mkdir -p "$lock_dir"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$lock_dir/parley-setup.lock"
  if ! flock -n 9; then
    say "another setup is running; waiting for it"
    flock 9
  fi
fi

command -v cargo >/dev/null 2>&1 || die "cargo not found: install Rust with rustup first"
command -v rustup >/dev/null 2>&1 || die "rustup not found: the wasm32 target is added with rustup"

# --- apt packages ---------------------------------------------------------------------------
SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo); fi
fi
apt_updated=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "need $* but apt-get is not available; install them by hand"
  if [[ $apt_updated -eq 0 ]]; then
    say "apt-get update"
    "${SUDO[@]}" apt-get update -qq
    apt_updated=1
  fi
  say "installing apt packages: $*"
  "${SUDO[@]}" apt-get install -y -qq "$@" >/dev/null
}

pkgs=()
command -v npm >/dev/null 2>&1 || pkgs+=(nodejs npm)
if [[ $browser -eq 1 ]]; then
  [[ -x /usr/bin/chromium ]] || pkgs+=(chromium)
  command -v unshare >/dev/null 2>&1 || pkgs+=(util-linux)
  command -v ip >/dev/null 2>&1 || pkgs+=(iproute2)
  command -v turnserver >/dev/null 2>&1 || pkgs+=(coturn) # TURN relay tests
  # Servers the Rust tests start, each on its own port and folder (tests/common/postgres.rs
  # finds /usr/lib/postgresql/<version>/bin); running the site needs neither.
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || pkgs+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || pkgs+=(redis-server)
fi
if [[ ${#pkgs[@]} -gt 0 ]]; then apt_install "${pkgs[@]}"; fi

# --- Rust tools -----------------------------------------------------------------------------
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
# The lint step of scripts/test.sh (a minimal rustup profile leaves these out).
for tool in rustfmt clippy; do
  if ! cargo "${tool/rustfmt/fmt}" --version >/dev/null 2>&1; then
    say "rustup component add $tool"
    rustup component add "$tool"
  fi
done

leptos_version() { cargo leptos --version 2>/dev/null || true; }
if [[ $(leptos_version) != *" $CARGO_LEPTOS_VERSION" ]]; then
  # Someone (another setup without flock, or a developer by hand) may be compiling it already:
  # a second `cargo install` would fight it for the two cores. Wait, then look again.
  if pgrep -f "cargo install cargo-leptos" >/dev/null 2>&1; then
    say "a 'cargo install cargo-leptos' is already running; waiting for it to finish"
    while pgrep -f "cargo install cargo-leptos" >/dev/null 2>&1; do sleep 10; done
  fi
fi
if [[ $(leptos_version) != *" $CARGO_LEPTOS_VERSION" ]]; then
  # 0.3.11 needs rustc >= 1.96. LTO off and 16 codegen units halve the 25-minute build.
  say "cargo install cargo-leptos $CARGO_LEPTOS_VERSION (found: '$(leptos_version)'; takes 13+ minutes)"
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
  [[ $(leptos_version) == *" $CARGO_LEPTOS_VERSION" ]] || die "cargo-leptos $CARGO_LEPTOS_VERSION did not install"
fi

# cargo-leptos uses the wasm-bindgen on PATH (or downloads one, which fails here); its version
# must equal the wasm-bindgen crate's exactly.
wb_version=$(awk '
  $0 == "name = \"wasm-bindgen\"" { found = 1; next }
  found && $1 == "version" { gsub(/"/, "", $3); print $3; exit }
  found && /^\[\[package\]\]/ { exit }
' "$ROOT/Cargo.lock")
[[ -n $wb_version ]] || die "no wasm-bindgen package in Cargo.lock"
if [[ $(wasm-bindgen --version 2>/dev/null || true) != "wasm-bindgen $wb_version"* ]]; then
  # No --locked: the CLI's own lock file names a crate version the registry lacks.
  say "cargo install wasm-bindgen-cli $wb_version (found: '$(wasm-bindgen --version 2>/dev/null || echo none)')"
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install wasm-bindgen-cli --version "$wb_version" --force
fi

# --- wasm-opt (npm) -------------------------------------------------------------------------
# Release builds run wasm-opt. Debian's binaryen is wasm-opt 108, whose output of
# wasm-bindgen 0.2.130 code Chromium rejects at start ("WebAssembly.Table.set(): Argument 1 is
# invalid for table"): the page never hydrates. npm's binaryen 132 works. run.sh and test.sh
# put scripts/wasm-opt/node_modules/.bin first on PATH.
npm_ci() { # npm_ci DIR: installs DIR's locked packages unless they are already there
  local dir=$1
  if [[ ! -f "$dir/node_modules/.package-lock.json" || "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]]; then
    say "npm ci in ${dir#"$ROOT"/}/"
    (cd "$dir" && npm ci --no-audit --no-fund)
  fi
}
npm_ci "$ROOT/scripts/wasm-opt"
wasm_opt_version=$("$ROOT/scripts/wasm-opt/node_modules/.bin/wasm-opt" --version 2>/dev/null || true)
[[ $wasm_opt_version == *"version 132"* ]] || die "wasm-opt 132 did not install (got '$wasm_opt_version')"

# --- Playwright (npm) -----------------------------------------------------------------------
if [[ $browser -eq 1 ]]; then
  node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  [[ $node_major -ge 20 ]] || die "Playwright needs Node.js >= 20 (found $(node --version 2>/dev/null || echo none))"
  npm_ci "$ROOT/end2end"
fi

say "ok (cargo-leptos $CARGO_LEPTOS_VERSION, wasm-bindgen $wb_version, wasm-opt 132$([[ $browser -eq 1 ]] && echo ", chromium, playwright, postgresql, redis-server"))"
