#!/usr/bin/env bash
# Installs what building and testing Kouka needs, skipping whatever is already present.
#   scripts/setup.sh run    toolchain target, cargo-leptos, wasm-bindgen CLI, npm packages,
#                           a Japanese font for the PDFs
#   scripts/setup.sh test   the same, plus cargo-audit, Debian's chromium, postgresql and
#                           poppler-utils (when root)
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-run}"
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# The toolchain of rust-toolchain.toml; rustup adds its target and components only when it
# installs the toolchain itself, so add them explicitly for an already present one.
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
for component in rustfmt clippy; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^${component}"; then
    say "adding the ${component} component"
    rustup component add "$component"
  fi
done

# cargo-leptos 0.3.10 (0.3.11 needs a newer rustc); no_downloads: it must find
# wasm-bindgen and wasm-opt on PATH rather than fetch binaries.
if [ "$(cargo leptos --version 2>/dev/null || true)" != "cargo-leptos 0.3.10" ]; then
  say "installing cargo-leptos 0.3.10 (takes about 15 minutes, once)"
  cargo install cargo-leptos --version 0.3.10 --locked --features no_downloads
fi

# The wasm-bindgen CLI must be exactly the version of the wasm-bindgen crate in Cargo.lock.
wbg_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen ${wbg_version}" ]; then
  say "installing wasm-bindgen-cli ${wbg_version}"
  # --locked first; when a crate its lock file names is not in the registry, resolve afresh.
  cargo install wasm-bindgen-cli --version "$wbg_version" --locked \
    || cargo install wasm-bindgen-cli --version "$wbg_version"
fi

# npm packages: binaryen (wasm-opt for release builds) and Playwright (tests only).
if [ ! -x node_modules/.bin/wasm-opt ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"
  npm ci --no-audit --no-fund
fi

need_apt=()
# A Japanese font: the sheet PDFs embed it (and without one, Chromium draws Japanese text
# as empty boxes in screenshots). Debian's Noto Sans CJK, whose licence (OFL) allows it.
fc-list :lang=ja 2>/dev/null | grep -q . || need_apt+=(fonts-noto-cjk)
[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] \
  || [ -e /usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf ] \
  || need_apt+=(fonts-noto-cjk)

if [ "$mode" = test ]; then
  # cargo-audit checks Cargo.lock against the RustSec advisories (scripts/audit.sh).
  # Pinned like the other tools, so that every run reads the advisories the same way.
  if ! cargo audit --version 2>/dev/null | grep -q ' 0\.22\.2$'; then
    say "installing cargo-audit 0.22.2 (takes a few minutes, once)"
    cargo install cargo-audit --version 0.22.2 --locked
  fi
  # A real SMTP server for the mail tests (server/tests/support/smtp_sink.py). Debian's own
  # python3 refuses pip installs (PEP 668); its package python3-aiosmtpd serves there.
  if ! python3 -c 'import aiosmtpd' 2>/dev/null; then
    say "installing aiosmtpd (Python) for the SMTP tests"
    python3 -m pip install --quiet aiosmtpd || need_apt+=(python3-aiosmtpd)
  fi
  [ -x /usr/bin/chromium ] || need_apt+=(chromium)
  # The PDF tests read the text back (pdftotext) and look at pages (pdftoppm).
  command -v pdftotext >/dev/null || need_apt+=(poppler-utils)
  # The end-to-end tests age one-time links in the database file to test expiry.
  command -v sqlite3 >/dev/null || need_apt+=(sqlite3)
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null; then
    need_apt+=(postgresql)
  fi
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    say "installing ${need_apt[*]} from Debian"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
  else
    echo "Please install: ${need_apt[*]} (sudo apt-get install ${need_apt[*]})" >&2
    exit 1
  fi
fi
