#!/usr/bin/env bash
# The quick start: `./dev.sh start` runs meshcall, `./dev.sh test` runs every test.
# Both install what is missing first (see scripts/bootstrap.sh).
set -euo pipefail
cd "$(dirname "$0")"

usage() {
  echo "usage: ./dev.sh start [meshcall options] | ./dev.sh test | ./dev.sh bench" >&2
  exit 2
}

[ $# -ge 1 ] || usage
command="$1"
shift

case "$command" in
  start)
    # Electron's binary comes from outside the npm registry; where it cannot be fetched
    # the install goes on without it (docs/architecture.md, "Facts learned on these machines").
    export ELECTRON_SKIP_BINARY_DOWNLOAD="${ELECTRON_SKIP_BINARY_DOWNLOAD:-1}"
    source scripts/bootstrap.sh
    npm run --silent build
    exec node bin/meshcall.js app "$@"
    ;;
  test | bench)
    export ELECTRON_SKIP_BINARY_DOWNLOAD=1
    export MESHCALL_WITH_TEST_DEPS=1
    source scripts/bootstrap.sh
    # Network namespaces need root.
    if [ "$(id -u)" -eq 0 ]; then exec npm run --silent "$command"; fi
    exec sudo --preserve-env=PATH,OPENCV4NODEJS_DISABLE_AUTOBUILD npm run --silent "$command"
    ;;
  *) usage ;;
esac
