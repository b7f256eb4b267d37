#!/usr/bin/env bash
# Runs the site.
#
#   scripts/run.sh             development: `cargo leptos watch` (rebuilds and reloads on edits)
#   scripts/run.sh --release   production build: `cargo leptos serve --release --precompress`
#                              (brotli and gzip copies of the wasm, JS and CSS, sent to
#                              browsers that accept them: the wasm goes ~3× smaller)
#
# Other arguments go to cargo leptos. Environment:
#   LEPTOS_SITE_ADDR  where to listen (default 127.0.0.1:3000)
#   DATABASE_URL      SQLite database (default sqlite://data/app.db; created and migrated by
#                     the server on start)
# Further server settings (ROOM_CAP, WATCH_CAP, ALLOWED_ORIGINS, COOKIE_SECURE, ...) are read
# from the environment too: see src/config.rs.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ -d "$HOME/.cargo/bin" && ":$PATH:" != *":$HOME/.cargo/bin:"* ]]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi
# wasm-opt 132 from npm (installed by setup.sh) ahead of any older one, e.g. Debian's 108.
export PATH="$PWD/scripts/wasm-opt/node_modules/.bin:$PATH"

release=0
args=()
for arg in "$@"; do
  case "$arg" in
    --release) release=1 ;;
    -h | --help)
      sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) args+=("$arg") ;;
  esac
done

bash scripts/setup.sh --no-browser

# cargo-leptos reads LEPTOS_SITE_ADDR from the environment and hands it to the server.
export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
export DATABASE_URL="${DATABASE_URL:-sqlite://data/app.db}"
echo "run.sh: site on http://$LEPTOS_SITE_ADDR, database $DATABASE_URL" >&2

if [[ $release -eq 1 ]]; then
  exec cargo leptos serve --release --precompress "${args[@]}"
else
  exec cargo leptos watch "${args[@]}"
fi
