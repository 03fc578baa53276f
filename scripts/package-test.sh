#!/usr/bin/env bash
# Proves what scripts/package.sh makes, end to end, from the release build:
#  (a) the .deb installs on a fresh Debian bookworm (a minimal root file system made with
#      mmdebstrap): the switchboard user, the unit (checked with systemd-analyze where there is
#      one), the settings file and `switchboard` on the PATH; then the service's ExecStart runs
#      as the unit runs it (its user, working directory and settings file) and answers /readyz;
#  (b) the container image, built on that same Debian as its base: starting containers fails
#      in some sandboxes (crun cannot set RLIMIT_NOFILE), so the image's file system is
#      exported and its entrypoint run under chroot as the image's user, with the image's
#      environment, and answers /readyz. Skipped, saying so, where podman is missing.
# Everything it makes (files, images, processes) is removed when it ends. Needs root.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/switchboard-target}"

say() { printf '\n==> %s\n' "$*"; }
fail() {
  printf 'package test FAILED: %s\n' "$*" >&2
  exit 1
}

command -v mmdebstrap >/dev/null || fail "mmdebstrap is missing (apt-get install mmdebstrap)"
WORK="$(mktemp -d /tmp/switchboard-package-test.XXXXXX)"
BASE_IMAGE="localhost/switchboard-test-base:bookworm"
VERSION="$(awk -F'"' '/^\[workspace.package\]/ { found = 1 } found && /^version = / { print $2; exit }' Cargo.toml)"
SERVER_PID=""
CONTAINER=""
HAVE_PODMAN=""
command -v podman >/dev/null && HAVE_PODMAN=1

cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ -n "$HAVE_PODMAN" ]; then
    [ -n "$CONTAINER" ] && podman rm --force "$CONTAINER" >/dev/null 2>&1
    podman rmi --force "localhost/switchboard:$VERSION" localhost/switchboard:latest "$BASE_IMAGE" \
      >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Runs `command` in the file system `root` as `uid:gid` with exactly the environment given
# (NAME=value arguments before `--`), in the background; SERVER_PID is its process.
start_in() {
  local root="$1" userspec="$2"
  shift 2
  local environment=()
  while [ "$1" != -- ]; do
    environment+=("$1")
    shift
  done
  shift
  chroot --userspec="$userspec" "$root" /usr/bin/env -i "${environment[@]}" "$@" \
    >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
}

# Waits (at most 30 s) until the server started by start_in answers /readyz on `port`.
expect_ready() {
  local port="$1" what="$2" deadline=$((SECONDS + 30))
  until [ "$(curl -fsS "http://127.0.0.1:$port/readyz" 2>/dev/null)" = ready ]; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
      cat "$WORK/server.log" >&2
      fail "$what does not answer /readyz"
    fi
    sleep 0.2
  done
  # The pages' bundle is where the settings say.
  curl -fsS -o /dev/null "http://127.0.0.1:$port/pkg/switchboard.css" ||
    fail "$what does not serve the browser bundle"
  kill "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
  echo "$what answered /readyz and served the bundle"
}

# uid:gid of `user` in the file system `root`.
ids_in() {
  awk -F: -v user="$2" '$1 == user { print $3 ":" $4 }' "$1/etc/passwd"
}

say "A minimal Debian bookworm (mmdebstrap --variant=minbase)"
mmdebstrap --variant=minbase --quiet bookworm "$WORK/rootfs.tar"
if [ -n "$HAVE_PODMAN" ]; then
  podman import --quiet "$WORK/rootfs.tar" "$BASE_IMAGE" >/dev/null
fi

say "Packaging (scripts/package.sh)"
SWITCHBOARD_PACKAGE_DIR="$WORK/out" SWITCHBOARD_BASE_IMAGE="$BASE_IMAGE" bash scripts/package.sh
DEB="$(ls "$WORK"/out/switchboard_*.deb)"

say "(a) The .deb on a fresh Debian"
DEBIAN_ROOT="$WORK/debian"
mkdir "$DEBIAN_ROOT"
tar -C "$DEBIAN_ROOT" -xf "$WORK/rootfs.tar"
cp "$DEB" "$DEBIAN_ROOT/tmp/switchboard.deb"
chroot "$DEBIAN_ROOT" dpkg -i /tmp/switchboard.deb >/dev/null
[ "$(chroot "$DEBIAN_ROOT" sh -c 'command -v switchboard')" = /usr/bin/switchboard ] ||
  fail "switchboard is not on the PATH"
IFS=: read -r _ _ USER_ID _ _ HOME_DIR LOGIN_SHELL < <(chroot "$DEBIAN_ROOT" getent passwd switchboard) ||
  fail "no switchboard user"
[ "$USER_ID" -lt 1000 ] && [ "$HOME_DIR" = /var/lib/switchboard ] && [ "$LOGIN_SHELL" = /usr/sbin/nologin ] ||
  fail "switchboard is not a system user without a login ($USER_ID $HOME_DIR $LOGIN_SHELL)"
ENV_FILE="$(sed -n 's/^EnvironmentFile=//p' "$DEBIAN_ROOT/lib/systemd/system/switchboard.service")"
# Owners as numbers: this machine's names are not the installed system's.
SERVICE_IDS="$(ids_in "$DEBIAN_ROOT" switchboard)"
[ "$(stat -c '%u:%g %a' "$DEBIAN_ROOT$ENV_FILE")" = "0:${SERVICE_IDS#*:} 640" ] ||
  fail "$ENV_FILE is not root:switchboard 0640"
grep -qx 'DATABASE_URL=sqlite:///var/lib/switchboard/switchboard.db' "$DEBIAN_ROOT$ENV_FILE" ||
  fail "$ENV_FILE does not keep the database in the state directory"
grep -qx /etc/switchboard/switchboard.env "$DEBIAN_ROOT/var/lib/dpkg/info/switchboard.conffiles" ||
  fail "$ENV_FILE is not a conffile"
[ "$(stat -c '%u:%g %a' "$DEBIAN_ROOT/var/lib/switchboard")" = "$SERVICE_IDS 750" ] ||
  fail "/var/lib/switchboard is not the switchboard user's"
UNIT="$DEBIAN_ROOT/lib/systemd/system/switchboard.service"
for setting in User=switchboard StateDirectory=switchboard ProtectSystem=strict NoNewPrivileges=yes \
  PrivateTmp=yes ProtectHome=yes; do
  grep -qx "$setting" "$UNIT" || fail "the unit lacks $setting"
done
if command -v systemd-analyze >/dev/null; then
  # Checked on this machine (a minimal Debian has no systemd), pointed at the installed binary.
  # Unknown settings are only warned about, so any output is a fault.
  mkdir "$WORK/unit"
  sed "s|^ExecStart=/usr/bin/|ExecStart=$DEBIAN_ROOT/usr/bin/|" "$UNIT" >"$WORK/unit/switchboard.service"
  VERIFIED="$(systemd-analyze verify "$WORK/unit/switchboard.service" 2>&1)" && [ -z "$VERIFIED" ] ||
    fail "systemd-analyze verify finds fault with the unit: $VERIFIED"
  # For the log: how exposed the unit is (1.6, "OK", when written).
  systemd-analyze security --offline=yes "$WORK/unit/switchboard.service" 2>/dev/null | tail -n 1 || true
else
  echo "systemd-analyze is not installed: the unit is not verified"
fi
# The service as systemd would start it: its user, working directory and settings file.
EXEC_START="$(sed -n 's/^ExecStart=//p' "$UNIT")"
WORKING_DIR="$(sed -n 's/^WorkingDirectory=//p' "$UNIT")"
PORT="$(free_port)"
start_in "$DEBIAN_ROOT" "$SERVICE_IDS" PATH=/usr/bin:/bin -- \
  /bin/sh -c "set -a && . $ENV_FILE && SWITCHBOARD_ADDR=127.0.0.1:$PORT && SWITCHBOARD_PUBLIC_URL=http://127.0.0.1:$PORT && cd $WORKING_DIR && exec $EXEC_START"
expect_ready "$PORT" "the installed service"
[ "$(stat -c %u:%g "$DEBIAN_ROOT/var/lib/switchboard/switchboard.db")" = "$SERVICE_IDS" ] ||
  fail "the database is not the switchboard user's"

if [ -z "$HAVE_PODMAN" ]; then
  say "(b) The container image: SKIPPED, podman is not installed (apt-get install podman)"
  exit 0
fi
say "(b) The container image, run from its exported file system"
IMAGE="localhost/switchboard:$VERSION"
CONTAINER="$(podman create "$IMAGE")"
IMAGE_ROOT="$WORK/image"
mkdir "$IMAGE_ROOT"
podman export "$CONTAINER" | tar -C "$IMAGE_ROOT" -x
IMAGE_USER="$(podman image inspect --format '{{.Config.User}}' "$IMAGE")"
IMAGE_IDS="$(ids_in "$IMAGE_ROOT" "$IMAGE_USER")"
[ -n "$IMAGE_IDS" ] && [ "${IMAGE_IDS%%:*}" != 0 ] || fail "the image runs as root ($IMAGE_USER)"
for tool in cargo rustc cc gcc; do
  [ ! -e "$IMAGE_ROOT/usr/bin/$tool" ] || fail "the image holds a toolchain ($tool)"
done
[ -s "$IMAGE_ROOT/etc/ssl/certs/ca-certificates.crt" ] || fail "the image has no CA certificates"
mapfile -t IMAGE_ENV < <(podman image inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$IMAGE" | sed '/^$/d')
read -r -a ENTRYPOINT <<<"$(podman image inspect --format '{{join .Config.Entrypoint " "}} {{join .Config.Cmd " "}}' "$IMAGE")"
IMAGE_WORKDIR="$(podman image inspect --format '{{.Config.WorkingDir}}' "$IMAGE")"
PORT="$(free_port)"
start_in "$IMAGE_ROOT" "$IMAGE_IDS" "${IMAGE_ENV[@]}" "SWITCHBOARD_ADDR=127.0.0.1:$PORT" -- \
  /bin/sh -c "cd $IMAGE_WORKDIR && exec ${ENTRYPOINT[*]}"
expect_ready "$PORT" "the image's entrypoint"
echo "The .deb and the image work."
