#!/usr/bin/env bash
# Fetches the natural clip the `codec` benchmark measures: OpenCV's sample vtest.avi, a real
# camera recording (768×576, pedestrians in a hall) that Debian ships in opencv-doc. Only
# that one file is kept, in the cache directory (default ~/.cache/meshcall), never in the
# repository. Prints the clip's path on stdout; exits non-zero with the reason otherwise.
# The .deb is ~95 MB: it is downloaded once, read, and deleted.
set -euo pipefail

CACHE_DIR="${MESHCALL_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/meshcall}"
CLIP="$CACHE_DIR/vtest.avi"
MEMBER=./usr/share/doc/opencv-doc/examples/data/vtest.avi

if [ -s "$CLIP" ]; then
  echo "$CLIP"
  exit 0
fi
for tool in apt-get dpkg-deb tar; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "fetch-natural-clip: needs $tool (Debian's package tools) to get opencv-doc" >&2
    exit 1
  fi
done

mkdir -p "$CACHE_DIR"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# apt's download sandbox user (_apt) must be able to write the download directory.
chown _apt "$work" 2>/dev/null || true
download() { (cd "$work" && apt-get download -qq opencv-doc >&2); }
# A fresh machine may have no package lists yet; root can fetch them, others are told to.
if ! download && ! { [ "$(id -u)" -eq 0 ] && apt-get update -qq >&2 && download; }; then
  echo "fetch-natural-clip: 'apt-get download opencv-doc' failed (run 'apt-get update' first?)" >&2
  exit 1
fi
dpkg-deb --fsys-tarfile "$work"/opencv-doc_*.deb | tar -x -C "$work" "$MEMBER"
mv "$work/$MEMBER" "$CLIP.partial"
mv "$CLIP.partial" "$CLIP"
echo "$CLIP"
