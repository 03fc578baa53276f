#!/usr/bin/env bash
# Installs everything Switchboard needs to build and test on a fresh Debian machine of this kind.
# Safe to run again: each step is skipped when its tool is already there.
# Sourced by scripts/demo.sh and scripts/test.sh, so the PATH and target dir it sets carry over.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/switchboard-target}"
TOOLS="$HOME/.cache/switchboard-tools"
export PATH="$TOOLS/bin:$TOOLS/node_modules/.bin:$HOME/.cargo/bin:$PATH"
mkdir -p "$TOOLS/bin"

CARGO_LEPTOS_VERSION=0.3.10
BINARYEN_NPM_VERSION=132.0.0
AXE_CORE_VERSION=4.14.1

# With the seconds since the script began, so a slow step shows in CI's log.
say() { printf '\n==> %s (at %ds)\n' "$*" "$SECONDS"; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "Adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
  say "Installing cargo-leptos $CARGO_LEPTOS_VERSION (about 15 minutes on 2 cores, once)"
  cargo install "cargo-leptos@$CARGO_LEPTOS_VERSION" --locked
fi

# wasm-bindgen's command line must match the library version in Cargo.lock exactly.
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' "$ROOT/Cargo.lock")"
if [ "$("$TOOLS/bin/wasm-bindgen" --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "Installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # Without --locked: its lock file wants a crate version the registry mirror does not serve.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --root "$TOOLS" --force
fi

# Debian's binaryen (108) produces wasm that breaks hydration; use binaryen from npm.
if ! "$TOOLS/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version ${BINARYEN_NPM_VERSION%%.*}"; then
  say "Installing binaryen $BINARYEN_NPM_VERSION (wasm-opt) from npm"
  npm install --prefix "$TOOLS" --no-save --no-audit --no-fund "binaryen@$BINARYEN_NPM_VERSION"
fi

# The accessibility browser test injects axe-core's script into the pages. Its own prefix, so
# npm does not prune binaryen as extraneous.
AXE_DIR="$TOOLS/axe-core"
if [ "$(node -p "require('$AXE_DIR/node_modules/axe-core/package.json').version" 2>/dev/null)" != "$AXE_CORE_VERSION" ]; then
  say "Installing axe-core $AXE_CORE_VERSION from npm"
  npm install --prefix "$AXE_DIR" --no-save --no-audit --no-fund "axe-core@$AXE_CORE_VERSION"
fi
export SWITCHBOARD_AXE_JS="$AXE_DIR/node_modules/axe-core/axe.min.js"

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  say "Installing Chromium and ChromeDriver for the browser tests"
  as_root apt-get update
  as_root apt-get install -y --no-install-recommends chromium chromium-driver
fi

# The package check (scripts/package-test.sh, run by scripts/test.sh) makes a Debian root file
# system with mmdebstrap and builds the container image with podman; the demo needs neither.
if [ "${SWITCHBOARD_SETUP_PACKAGING:-}" = 1 ] && { ! command -v mmdebstrap >/dev/null || ! command -v podman >/dev/null; }; then
  say "Installing mmdebstrap and podman for the package check"
  as_root apt-get update
  as_root apt-get install -y --no-install-recommends mmdebstrap
  # Without podman the check skips the image and says so.
  as_root apt-get install -y --no-install-recommends podman ||
    say "podman could not be installed: the container image will not be checked"
fi
