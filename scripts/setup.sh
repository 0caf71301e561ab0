#!/usr/bin/env bash
# Installs every tool the project needs, each only when missing. Safe to re-run.
set -euo pipefail

TOOLS="${TOOLS_DIR:-$HOME/.cache/mfa-signin/tools}"
mkdir -p "$TOOLS"
export PATH="$HOME/.cargo/bin:$TOOLS/node_modules/.bin:$PATH"
root=$(cd "$(dirname "$0")/.." && pwd)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# Build output lives outside the clone, so a fresh clone (CI) reuses it.
# A symlink rather than CARGO_TARGET_DIR: cargo-leptos wants target/ inside
# the workspace.
cache_target="$HOME/.cache/mfa-signin/target"
if [ ! -e "$root/target" ] && [ ! -L "$root/target" ]; then
  mkdir -p "$cache_target"
  ln -s "$cache_target" "$root/target"
fi

for c in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$c"; then
    say "adding the $c component (the test command checks format and lints)"
    rustup component add "$c"
  fi
done

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi

# Debian packages: chromium (the end-to-end tests), nginx (the forward-auth
# test puts it in front of a page), prometheus (promtool).
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
# promtool (the metrics test checks a real scrape with it); the package's
# server is not started.
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
# The deploy guide's tests: its systemd unit (systemd-analyze) and its nginx
# config over TLS (curl).
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
command -v curl >/dev/null 2>&1 || missing+=(curl)
# The import test reads an authenticator's code as an app would (oathtool).
command -v oathtool >/dev/null 2>&1 || missing+=(oathtool)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian's ${missing[*]} (for the end-to-end tests)"
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

# cargo-leptos 0.3.11 needs rustc 1.96; --debug halves the install time.
if ! cargo leptos --version 2>/dev/null | grep -q '0.3.10'; then
  say "installing cargo-leptos 0.3.10 (about 11 minutes, once)"
  cargo install cargo-leptos --version 0.3.10 --locked --debug
fi

# Must equal the wasm-bindgen version in Cargo.lock.
want=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/"/,"",$3); print $3; exit}' "$root/Cargo.lock" 2>/dev/null || true)
want=${want:-0.2.130}
if ! wasm-bindgen --version 2>/dev/null | grep -q " $want\$"; then
  say "installing wasm-bindgen-cli $want"
  cargo install wasm-bindgen-cli --version "$want" --force
fi

# wasm-opt from npm's binaryen (Debian's breaks hydration).
if ! [ -x "$TOOLS/node_modules/.bin/wasm-opt" ]; then
  say "installing binaryen@132 (wasm-opt) into $TOOLS"
  (cd "$TOOLS" && npm install --no-audit --no-fund --silent binaryen@132)
fi

if { ! [ -d "$root/end2end/node_modules/@playwright/test" ] || ! [ -d "$root/end2end/node_modules/smtp-server" ] \
     || ! [ -d "$root/end2end/node_modules/jose" ] || ! [ -d "$root/end2end/node_modules/axe-core" ] \
     || ! [ -d "$root/end2end/node_modules/@clerk/expo" ] || ! [ -d "$root/end2end/node_modules/bcryptjs" ] \
     || ! [ -d "$root/end2end/node_modules/better-auth" ] || ! [ -d "$root/end2end/node_modules/hash-wasm" ]; } \
    && [ -f "$root/end2end/package.json" ]; then
  say "installing Playwright's test runner, the test SMTP server, jose, axe-core, bcryptjs, better-auth, hash-wasm and Clerk's SDKs (no browser download)"
  (cd "$root/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)
fi
# Schemathesis (PyPI) checks the /v1 API against its OpenAPI document.
if ! "$TOOLS/venv/bin/schemathesis" --version 2>/dev/null | grep -q ' 4.32.5$'; then
  say "installing Schemathesis 4.32.5 into $TOOLS/venv"
  python3 -m venv "$TOOLS/venv"
  "$TOOLS/venv/bin/pip" install --quiet --disable-pip-version-check schemathesis==4.32.5
fi
say "tools ready"
