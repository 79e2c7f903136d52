#!/usr/bin/env bash
# `make test`: everything, on a fresh machine too. Exit code says it all.
#   1. installs what is missing (scripts/setup.sh test)
#   2. cargo fmt --check, clippy (server side, and the browser side for wasm32), and the
#      dependency audit against known vulnerabilities (scripts/audit.sh)
#   3. all Rust tests, on SQLite and on PostgreSQL: a throwaway server started here
#      (its own folder and port, stopped afterwards), or KOUKA_TEST_POSTGRES_URL if set
#   4. the release build and the Playwright suite against it, in Debian's Chromium
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
export PATH="$PWD/node_modules/.bin:$PATH"
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all --check

step "clippy"
cargo clippy --all-targets -- -D warnings
cargo clippy -p kouka-frontend --target wasm32-unknown-unknown -- -D warnings

step "dependency audit (known vulnerabilities)"
scripts/audit.sh

pg_dir=""
cleanup() { [ -n "$pg_dir" ] && scripts/postgres.sh stop "$pg_dir"; }
trap cleanup EXIT
if [ -z "${KOUKA_TEST_POSTGRES_URL:-}" ]; then
  step "starting a throwaway PostgreSQL"
  pg_dir="$(mktemp -d /tmp/kouka-pg.XXXXXX)"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  KOUKA_TEST_POSTGRES_URL="$(scripts/postgres.sh start "$pg_dir" "$port")"
  export KOUKA_TEST_POSTGRES_URL
fi
# A missing PostgreSQL fails the PostgreSQL tests instead of skipping them.
export KOUKA_REQUIRE_POSTGRES=1

step "Rust tests (SQLite and PostgreSQL)"
# --tests: unit and integration tests, not the benchmark examples (clippy checks those).
cargo test --workspace --exclude kouka-frontend --tests

step "release build"
scripts/build.sh

step "Playwright (Chromium)"
if ! npx playwright test -c end2end/playwright.config.ts; then
  node end2end/summarize-failures.mjs
  exit 1
fi
