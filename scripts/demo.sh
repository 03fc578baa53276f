#!/usr/bin/env bash
# Builds Switchboard and starts it on SQLite at http://127.0.0.1:3000 with demo data.
# Installs what is missing first (scripts/setup.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/setup.sh

say "Building Switchboard (release)"
cargo leptos build --release --split --precompress
export SWITCHBOARD_SITE_ROOT="$ROOT/target/site"
BIN="$CARGO_TARGET_DIR/release/switchboard"

say "Loading demo data"
"$BIN" demo
say "Switchboard runs at http://127.0.0.1:3000 — sign in as admin@example.org / switchboard-demo-2026 (Ctrl-C stops it)"
export SWITCHBOARD_DEMO_MODE=true
exec "$BIN" serve
