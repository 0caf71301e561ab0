#!/usr/bin/env bash
# Benchmarks (`scripts/bench.sh [hashing]`): builds release, then measures the release server from a second
# process over loopback. Figures go to bench/results.md. Reports; never fails
# on a missed target.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. scripts/env.sh
# --precompress: the .br and .gz twins the server sends (figure 4).
cargo leptos build --release --split --precompress
# Figure 8c: the example backend that verifies session tokens.
cargo build --release -q -p server --example backend
# The peer for figure 3: better-auth with its two-factor plugin (npm).
if [ ! -d bench/better-auth/node_modules ]; then
  (cd bench/better-auth && npm ci --no-audit --no-fund --silent)
fi
# `scripts/bench.sh hashing`: figures 1 and 2 only, into bench/hashing.md.
# With MFA_METRICS_ADDR=127.0.0.1:0 the server keeps its metrics (their cost).
if [ "${1:-}" = hashing ]; then
  exec cargo run --release -q -p server --example bench -- target/release/mfa-signin bench/hashing.md hashing
fi
# Figure 4's floor (bench/floor): the least a Leptos islands page ships, built
# with the same profile and flags into the shared build cache.
[ -e bench/floor/target ] || ln -s ../../target bench/floor/target
(cd bench/floor && cargo leptos build --release --split --frontend-only --precompress)
cargo run --release -q -p server --example bench -- target/release/mfa-signin bench/results.md
