#!/usr/bin/env bash
# `make run`: installs what is missing, builds the release site, and serves Kouka at
# http://127.0.0.1:3000 from the embedded SQLite database under data/ (created and
# migrated by `kouka serve` itself); on an empty database it first creates a demo company.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh run
scripts/build.sh
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}"
# On a database without any tenant, a demo company to look around in, and how to sign in
# to it (KOUKA_DEMO=0: none; `target/release/kouka demo --help` for the details).
if [ "${KOUKA_DEMO:-1}" != 0 ] && target/release/kouka tenant list | grep -q "No tenants yet"; then
  target/release/kouka demo --code DEMO
fi
exec target/release/kouka serve
