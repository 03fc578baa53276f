#!/usr/bin/env bash
# Makes Switchboard's .deb and container image from one release build: the binary
# ($CARGO_TARGET_DIR/release/switchboard) and the browser bundle (target/site) that
# `cargo leptos build --release --split --precompress` writes. They are built first only when
# missing. Output goes to target/package (or $SWITCHBOARD_PACKAGE_DIR):
#   switchboard_<version>_<arch>.deb
#   switchboard_<version>_image.tar      (docker-archive; `docker load -i` / `podman load -i`)
# and the image is tagged localhost/switchboard:<version> and :latest in podman's storage.
# Without podman, only the .deb is made (said so). The Dockerfile's base image is
# $SWITCHBOARD_BASE_IMAGE (default docker.io/library/debian:bookworm-slim).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/switchboard-target}"
BIN="$CARGO_TARGET_DIR/release/switchboard"
SITE="$ROOT/target/site"
OUT="${SWITCHBOARD_PACKAGE_DIR:-$ROOT/target/package}"
BASE_IMAGE="${SWITCHBOARD_BASE_IMAGE:-docker.io/library/debian:bookworm-slim}"

say() { printf '\n==> %s\n' "$*"; }

if [ ! -x "$BIN" ] || [ ! -d "$SITE/pkg" ]; then
  source scripts/setup.sh
  say "Building Switchboard (release)"
  cargo leptos build --release --split --precompress
fi

VERSION="$(awk -F'"' '/^\[workspace.package\]/ { found = 1 } found && /^version = / { print $2; exit }' Cargo.toml)"
ARCH="$(dpkg --print-architecture)"
# The newest glibc symbol version the binary asks for is the oldest libc6 it runs on.
GLIBC="$(objdump -T "$BIN" | grep -o 'GLIBC_[0-9.]*' | sort -Vu | tail -n 1 | cut -d_ -f2)"
mkdir -p "$OUT"

say "Debian package"
DEB_ROOT="$OUT/deb-root"
rm -rf "$DEB_ROOT"
install -D -m 0755 "$BIN" "$DEB_ROOT/usr/bin/switchboard"
mkdir -p "$DEB_ROOT/usr/share/switchboard"
cp -r "$SITE" "$DEB_ROOT/usr/share/switchboard/site"
install -D -m 0644 deploy/debian/switchboard.service "$DEB_ROOT/lib/systemd/system/switchboard.service"
install -D -m 0640 deploy/debian/switchboard.env "$DEB_ROOT/etc/switchboard/switchboard.env"
install -D -m 0644 README.md "$DEB_ROOT/usr/share/doc/switchboard/README.md"
mkdir -p "$DEB_ROOT/DEBIAN"
install -m 0755 deploy/debian/postinst deploy/debian/prerm deploy/debian/postrm "$DEB_ROOT/DEBIAN/"
echo /etc/switchboard/switchboard.env >"$DEB_ROOT/DEBIAN/conffiles"
cat >"$DEB_ROOT/DEBIAN/control" <<EOF
Package: switchboard
Version: $VERSION
Architecture: $ARCH
Maintainer: Switchboard maintainers <switchboard@example.org>
Section: web
Priority: optional
Depends: libc6 (>= $GLIBC), libgcc-s1, passwd
Recommends: ca-certificates
Installed-Size: $(du -sk --exclude=DEBIAN "$DEB_ROOT" | cut -f1)
Description: self-hosted shared inbox for non-profits
 Volunteers answer WhatsApp, SMS and Facebook Messenger conversations from one
 browser tab. Runs as the switchboard system service; settings are in
 /etc/switchboard/switchboard.env, data in /var/lib/switchboard.
EOF
DEB="$OUT/switchboard_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Zzstd --build "$DEB_ROOT" "$DEB" >/dev/null
rm -rf "$DEB_ROOT"
echo "$DEB"

if ! command -v podman >/dev/null; then
  say "Container image skipped: podman is not installed (apt-get install podman)"
  exit 0
fi
say "Container image on $BASE_IMAGE"
CONTEXT="$OUT/image-context"
rm -rf "$CONTEXT"
mkdir -p "$CONTEXT"
cp "$BIN" "$CONTEXT/switchboard"
cp -r "$SITE" "$CONTEXT/site"
cp /etc/ssl/certs/ca-certificates.crt "$CONTEXT/ca-certificates.crt"
podman build --quiet --isolation=chroot --build-arg "BASE_IMAGE=$BASE_IMAGE" \
  -t "localhost/switchboard:$VERSION" -t localhost/switchboard:latest \
  -f Dockerfile "$CONTEXT"
rm -rf "$CONTEXT"
IMAGE_TAR="$OUT/switchboard_${VERSION}_image.tar"
rm -f "$IMAGE_TAR"
podman save --quiet --format docker-archive -o "$IMAGE_TAR" "localhost/switchboard:$VERSION" localhost/switchboard:latest
echo "localhost/switchboard:$VERSION ($IMAGE_TAR)"
