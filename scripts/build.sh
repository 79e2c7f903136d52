#!/usr/bin/env bash
# The release site: target/release/kouka and target/site. `--split` puts each page declared
# with `page_on_demand!` (app/src/shell.rs) into its own WebAssembly chunk, loaded when opened.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
cargo leptos build --release --split
