#!/usr/bin/env bash
# Prints the size of the release browser bundle, raw and gzipped.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
wasm="$ROOT/target/site/pkg/switchboard.wasm"
raw=$(stat -c %s "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
echo "browser bundle: $((raw / 1024)) KiB raw, $((gz / 1024)) KiB gzipped ($wasm)"
