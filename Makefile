# The two commands of the README. Everything else lives in scripts/.
.PHONY: run test

## Build and serve Kouka at http://127.0.0.1:3000 (embedded SQLite under data/)
run:
	@scripts/run.sh

## Format check, clippy, Rust tests on SQLite and PostgreSQL, Playwright in Chromium
test:
	@scripts/test.sh
