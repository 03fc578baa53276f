#!/usr/bin/env bash
# Prints the size of the release browser bundle, gzipped: the main module every page loads first,
# each lazy route's chunks (`cargo leptos build --split`), and all of it together; and what the
# server sends a browser that accepts brotli (`--precompress` writes the .br copies).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pkg="$ROOT/target/site/pkg"
gz() { gzip -9 -c "$1" | wc -c; }
main_gz=$(gz "$pkg/switchboard.wasm")
total_gz=$main_gz
chunks=0
for chunk in "$pkg"/*.wasm; do
  [ "$chunk" = "$pkg/switchboard.wasm" ] && continue
  total_gz=$((total_gz + $(gz "$chunk")))
  chunks=$((chunks + 1))
done
echo "browser bundle, gzipped: main module $((main_gz / 1024)) KiB" \
  "(raw $(($(stat -c %s "$pkg/switchboard.wasm") / 1024)) KiB);" \
  "with $chunks lazy chunks $((total_gz / 1024)) KiB ($pkg)"
if [ -f "$pkg/switchboard.wasm.br" ]; then
  echo "main module as served with brotli: $(($(stat -c %s "$pkg/switchboard.wasm.br") / 1024)) KiB"
fi
