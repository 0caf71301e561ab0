#!/usr/bin/env bash
# Schemathesis against a live server, from its own /v1/openapi.json: once as
# a new client, once as a signed-in one (a client token in Authorization);
# then the Backend API from /backend/v1/openapi.json with a secret key.
# Any 5xx, undocumented status, wrong content type or body off its schema fails.
set -euo pipefail
cd "$(dirname "$0")/.."
st="${TOOLS_DIR:-$HOME/.cache/mfa-signin/tools}/venv/bin/schemathesis"
bin="target/debug/mfa-signin"
port="${SCHEMATHESIS_PORT:-3190}"
base="http://127.0.0.1:$port"
dir=$(mktemp -d)
# The limits would answer most generated calls with 429 (documented, but it
# tests nothing); they are tested in server/tests.
MFA_RATE_CREATE=100000 MFA_RATE_VERIFY=100000 MFA_LOCKOUT_THRESHOLD=100000 MFA_REQUIRE_MFA=0 MFA_CLIENT_TRUST=0 \
  RUST_LOG=error "$bin" --database-url "sqlite://$dir/st.db" serve --dev --addr "127.0.0.1:$port" >"$dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done

checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
run() {
  "$st" run "$base/v1/openapi.json" --url "$base" --checks "$checks" --max-examples 25 \
    --generation-deterministic --no-color "$@"
}
echo "--> as a new client"
run
echo "--> as a signed-in client (client token)"
curl -sf -o /dev/null "$base/dev/users" -H 'content-type: application/json' \
  -d '{"email":"schema@example.com","password":"a long enough password"}'
token=$(curl -sf -D - -o /dev/null "$base/v1/client/sign_ins?_is_native=1" -H 'content-type: application/json' \
  -d '{"identifier":"schema@example.com","password":"a long enough password"}' |
  awk 'tolower($1)=="authorization:" {print $2}' | tr -d '\r')
[ -n "$token" ] || { echo "no client token"; exit 1; }
run -H "Authorization: Bearer $token"
echo "--> the Backend API (a secret key)"
key=$("$bin" --database-url "sqlite://$dir/st.db" --json api-keys create --name schemathesis |
  sed -n 's/.*"secret_key":"\(sk_live_[^"]*\)".*/\1/p')
[ -n "$key" ] || { echo "no secret key"; exit 1; }
"$st" run "$base/backend/v1/openapi.json" --url "$base" --checks "$checks" --max-examples 25 \
  --generation-deterministic --no-color -H "Authorization: Bearer $key"
if grep -E "panicked|ERROR" "$dir/server.log"; then echo "the server logged errors"; exit 1; fi
