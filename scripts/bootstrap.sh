#!/usr/bin/env bash
# Installs what meshcall needs on Debian/Ubuntu, idempotently: system packages only when
# missing, npm dependencies only when the lockfile changed. Sourced by dev.sh.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Node.js (18.20+; 20 recommended) and the toolchain node-gyp needs for the OpenCV binding.
# libopencv-dev: @u4/opencv4nodejs builds against the system OpenCV
# (docs/architecture.md, "Facts learned on these machines").
SYSTEM_PACKAGES=(libopencv-dev build-essential python3 pkg-config ca-certificates)
# ffmpeg (with ffprobe): the watch party probes, remuxes or transcodes a shared file at run time.
SYSTEM_PACKAGES+=(ffmpeg)
# fonts-noto-color-emoji: reactions, the emoji picker and chat show emoji; a machine without an
# emoji font draws empty boxes instead (Debian's minimal installs have none).
SYSTEM_PACKAGES+=(fonts-noto-color-emoji)
# Only for the tests (dev.sh test/bench set MESHCALL_WITH_TEST_DEPS=1):
# iproute2: the integration tests build network namespaces.
# iptables, libnetfilter-queue-dev: on kernels without sch_netem the tests emulate delay and loss
# with an iptables-legacy NFQUEUE rule and test/tools/nfq-delay.c, compiled (with
# build-essential's gcc) against libnetfilter_queue when first needed.
# chromium: the interface is tested in a real Chromium driven by playwright-core.
if [ "${MESHCALL_WITH_TEST_DEPS:-0}" = "1" ]; then
  SYSTEM_PACKAGES+=(iproute2 iptables libnetfilter-queue-dev chromium)
fi
if ! command -v node >/dev/null 2>&1; then SYSTEM_PACKAGES+=(nodejs npm); fi

missing=()
for package in "${SYSTEM_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "meshcall: installing system packages: ${missing[*]}" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 18 ]; then
  echo "meshcall: Node.js 18.20 or newer is required (found $(node -v))" >&2
  exit 1
fi

# The OpenCV binding must not try to download and build its own OpenCV.
export OPENCV4NODEJS_DISABLE_AUTOBUILD=1

cd "$ROOT"
lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
stamp="node_modules/.meshcall-install-stamp"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  echo "meshcall: installing npm dependencies (the OpenCV binding builds for ~11 minutes)" >&2
  npm ci --no-audit --no-fund >&2
  echo "$lock_hash" > "$stamp"
fi
