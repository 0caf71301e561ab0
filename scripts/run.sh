#!/usr/bin/env bash
# Installs what is missing, then starts the app on an embedded SQLite file with
# a demo user (its credentials, TOTP secret and backup codes are printed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. scripts/env.sh
export MFA_DEV="${MFA_DEV:-1}" MFA_DEMO="${MFA_DEMO:-1}"
export DATABASE_URL="${DATABASE_URL:-sqlite://data/mfa-signin.db}"
echo "Starting on http://127.0.0.1:3000/sign-in  (development outbox: http://127.0.0.1:3000/dev/outbox)"
exec cargo leptos serve --split "$@"
