#!/usr/bin/env bash
# Runs every test: unit, store and API tests on SQLite and PostgreSQL, then the browser tests
# against a release build. Installs what is missing first (scripts/setup.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# Also the tools of the package check (mmdebstrap, podman).
export SWITCHBOARD_SETUP_PACKAGING=1
source scripts/setup.sh

if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  say "Starting PostgreSQL"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
fi
export SWITCHBOARD_TEST_POSTGRES="${SWITCHBOARD_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432}"
# Databases left behind by earlier runs that were interrupted.
psql "$SWITCHBOARD_TEST_POSTGRES/postgres" -tAc \
  "SELECT 'DROP DATABASE IF EXISTS ' || datname || ';' FROM pg_database WHERE datname LIKE 'sb\_test\_%'" \
  | psql -q "$SWITCHBOARD_TEST_POSTGRES/postgres" >/dev/null || true

say "Formatting and lints"
cargo fmt --all -- --check
cargo clippy -p channels -p server -p tests --all-targets -- -D warnings
cargo clippy -p app --features ssr --all-targets -- -D warnings

# Every test run's output is kept so the totals can be added up at the end.
RESULTS="$(mktemp)"
trap 'rm -f "$RESULTS"' EXIT
run_tests() { cargo test "$@" 2>&1 | tee -a "$RESULTS"; }

# Each package is tested with its own features: `cargo test --workspace` would give `app` both
# `ssr` and `hydrate` at once.
say "Unit, store and API tests"
run_tests -p app --features ssr
# Includes the parsers' property tests at 64 generated inputs each (README, "Fuzzing the parsers").
run_tests -p channels
run_tests -p server

say "Release build (server binary and browser bundle)"
cargo leptos build --release --split --precompress
export SWITCHBOARD_BIN="$CARGO_TARGET_DIR/release/switchboard"
export SWITCHBOARD_SITE_ROOT="$ROOT/target/site"
bash scripts/wasm-size.sh

say "Packages (.deb on a fresh Debian, container image)"
as_root env CARGO_TARGET_DIR="$CARGO_TARGET_DIR" bash scripts/package-test.sh

say "Browser tests (headless Chromium)"
run_tests -p tests

say "All tests"
awk '/^test result:/ { passed += $4; failed += $6 } END { printf "%d passed, %d failed\n", passed, failed }' "$RESULTS"
