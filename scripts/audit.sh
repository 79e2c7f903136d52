#!/usr/bin/env bash
# Known vulnerabilities in dependencies (WP 13), checked offline:
#   Cargo.lock against a snapshot of the RustSec advisory database (cargo-audit), and the
#   npm lock against the registry's advisory service when that is reachable.
# A vulnerability fails the run. An advisory that does not apply is ignored only in
# .cargo/audit.toml, each with its reason beside it.
#   KOUKA_ADVISORY_DB   the snapshot (default ../shared/advisory-db, a folder with crates/)
set -euo pipefail
cd "$(dirname "$0")/.."
db="${KOUKA_ADVISORY_DB:-../shared/advisory-db}"

if [ -d "$db/crates" ]; then
  # --stale: the snapshot is older than cargo-audit's default freshness limit, by design.
  cargo audit --db "$db" --no-fetch --stale
else
  printf '\033[1;33mWARNING: no advisory database at %s: Cargo.lock was NOT checked for known vulnerabilities\033[0m\n' "$db" >&2
fi

# npm packages are build and test tools only (binaryen, Playwright); none reaches a user.
if out=$(npm audit --package-lock-only --json 2>/dev/null); then
  echo "npm audit: no known vulnerabilities in package-lock.json"
elif printf '%s' "$out" | python3 -c 'import json,sys; sys.exit(0 if "vulnerabilities" in json.load(sys.stdin) else 1)' 2>/dev/null; then
  npm audit --package-lock-only || true
  echo "npm audit: known vulnerabilities in package-lock.json (above)" >&2
  exit 1
else
  printf '\033[1;33mnpm audit: the registry advisory service is not reachable from here: package-lock.json was NOT checked\033[0m\n' >&2
fi
