#!/usr/bin/env bash
# `make run`: installs what is missing, builds the release site, and serves Kouka at
# http://127.0.0.1:3000 from the embedded SQLite database under data/ (created and
# migrated by `kouka serve` itself).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh run
scripts/build.sh
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}"
exec target/release/kouka serve
