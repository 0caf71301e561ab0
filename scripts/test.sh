#!/usr/bin/env bash
# Every test: unit and HTTP integration (cargo), then end-to-end in Chromium
# (Playwright, against a fresh SQLite database on its own port).
set -euo pipefail
cd "$(dirname "$0")/.."
# Each phase's wall time, printed when the next begins: how long a cold or
# warm run spends where (the tools, each build, each test pass).
start=$SECONDS
phase() { echo "    ($((SECONDS - start)) s)"; start=$SECONDS; echo "==> $*"; }
echo "==> tools (scripts/setup.sh)"
bash scripts/setup.sh
. scripts/env.sh

phase "format and lints (app's two feature sets: ssr with the server, hydrate as the wasm)"
cargo fmt --all --check
cargo clippy --workspace --exclude frontend --all-targets -- -D warnings
cargo clippy -p frontend -p app --features app/hydrate --target wasm32-unknown-unknown -- -D warnings

phase "the tiers: the domain has no web, SQL, mail or template crate; the wasm no server crate"
tier() { # crate, forbidden dependencies (a regex), cargo tree flags
  local crate=$1 forbidden=$2; shift 2
  local found
  found=$(cargo tree -p "$crate" -e normal --prefix none "$@" | grep -E "^($forbidden) v" | sort -u || true)
  if [ -n "$found" ]; then echo "$crate depends on: $found"; exit 1; fi
}
tier domain 'axum|axum-core|hyper|leptos|leptos_axum|sqlx|sqlx-core|lettre|reqwest|minijinja|qrcode|toml'
tier proto 'axum|hyper|tokio|sqlx|lettre|reqwest|domain'
tier words 'axum|hyper|tokio|sqlx|lettre|reqwest|domain|leptos'
tier verify 'domain|store|delivery|web|server|app|sqlx|axum|leptos'
tier client 'domain|store|delivery|web|server|app|sqlx|axum|leptos'
tier frontend 'domain|store|delivery|web|server|sqlx|axum|hyper|tokio|lettre|reqwest|words|fluent-bundle' --target wasm32-unknown-unknown

phase "unit and integration tests (SQLite)"
cargo test --workspace --exclude frontend

phase "server tests again on PostgreSQL (each test creates and drops its own database)"
export TEST_PG_ADMIN="${TEST_PG_ADMIN:-postgres://postgres@127.0.0.1:5432/test}"
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && command -v pg_ctlcluster >/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
fi
# The same packages and flags as above, so nothing is rebuilt (measured: the
# build step of this pass takes under a second). Another selection would
# unify features differently and rebuild app and server.
TEST_DB=postgres cargo test --workspace --exclude frontend

phase "the /v1 API against its OpenAPI document (Schemathesis)"
bash scripts/schemathesis.sh

phase "end-to-end tests (Playwright, headless Chromium)"
e2e_dir=$(mktemp -d)
trap 'rm -rf "$e2e_dir"' EXIT
export MFA_DEV=1 MFA_DEMO=0 DATABASE_URL="sqlite://$e2e_dir/e2e.db"
# Parallel browsers share one IP: the per-IP limits are tested in server/tests.
export MFA_RATE_CREATE=1000 MFA_RATE_VERIFY=1000
# Sign-in by emailed code is off by default; its tests need it on.
export MFA_EMAIL_CODE_SIGN_IN=1
# Changes need a re-verification 20 s after sign-in (600 s in production), so
# that a test can see the page ask for it.
export MFA_REVERIFICATION=20
# Codes may be sent again after 5 s (30 in production), so that a test can
# watch the resend countdown end.
export MFA_RESEND_AFTER=5
# Branded as an instance would be: the heading, logo and accents under test
# (and in the README's screenshots).
export MFA_APP_NAME=Acme MFA_LOGO=/brand/acme.svg MFA_LOGO_DARK=/brand/acme-dark.svg MFA_ACCENT="#6d28d9"
export MFA_ADDR="127.0.0.1:${E2E_PORT:-3100}" BASE_URL="http://127.0.0.1:${E2E_PORT:-3100}"
# An app's page on another origin, where Clerk's browser bundle runs
# (tests/clerk-browser.spec.ts): it may call /v1 with cookies (CORS).
export APP_ORIGIN="http://127.0.0.1:$((${E2E_PORT:-3100} + 101))"
export MFA_ALLOWED_ORIGINS="$APP_ORIGIN"
# The demo user, exactly as scripts/run.sh makes it, for the demo test: by
# the binary the test passes built (`cargo run -p server` would unify
# features otherwise and rebuild app and server, twice per run).
target/debug/mfa-signin demo --json > "$e2e_dir/demo.json"
export DEMO_JSON="$e2e_dir/demo.json"
phase "the e2e build (cargo leptos: the wasm, the CSS and the assets)"
# The server is the binary the test passes built, started here: cargo leptos
# would build its own with other features (and, by default, other RUSTFLAGS),
# a second full build of every dependency (14 min cold) that also overwrote
# this one on every run. It names the wasm as cargo leptos would because
# .cargo/config.toml sets LEPTOS_OUTPUT_NAME for every build.
cargo leptos build --split --frontend-only
phase "Playwright (headless Chromium) against that server"
target/debug/mfa-signin > "$e2e_dir/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -rf "$e2e_dir"' EXIT
if ! (cd end2end && npx playwright test); then
  echo "--- the server's log (last 40 lines)"
  tail -n 40 "$e2e_dir/server.log"
  exit 1
fi
echo "    ($((SECONDS - start)) s)"
