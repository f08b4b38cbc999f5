#!/bin/sh
# Cliffwatch bootstrap: install dependencies (Debian 12), build, then either
# run the main job or the test suite. Used by the README and by .ci/run.
#
#   sh tools/bootstrap.sh run    install, build, start the workbench on the bundled
#                                sample receipts (with no display: print the plan
#                                for the default preset instead)
#   sh tools/bootstrap.sh test   install, build, run every test suite
#   sh tools/bootstrap.sh build  install and build only
#
# Environment: BUILD (build dir, default ./build), CW_SKIP_APT=1 to skip apt-get,
# MESON_ARGS (extra `meson setup` arguments, e.g. -Dgui=disabled).
set -eu

mode=${1:-test}
case "$mode" in
  run|test|build) ;;
  -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
  *) echo "bootstrap.sh: unknown mode '$mode' (expected run, test or build)" >&2; exit 2 ;;
esac

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
BUILD=${BUILD:-build}

if [ "${CW_SKIP_APT:-0}" != 1 ] && command -v apt-get >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  echo "== installing Debian packages (apt-get)" >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    build-essential meson ninja-build pkg-config git python3 \
    libsqlite3-dev sqlite3 libcairo2-dev libgtk-4-dev libadwaita-1-dev \
    gettext appstream desktop-file-utils libglib2.0-bin libglib2.0-dev-bin \
    xvfb xauth fonts-dejavu-core >/dev/null
fi

# CUDA is optional: Meson finds nvcc on PATH (the CUDA layers are auto-detected).
if [ -x /usr/local/cuda/bin/nvcc ]; then
  PATH=/usr/local/cuda/bin:$PATH
  export PATH
fi

if [ ! -f "$BUILD/build.ninja" ]; then
  echo "== meson setup $BUILD ${MESON_ARGS:-}" >&2
  # shellcheck disable=SC2086
  meson setup "$BUILD" ${MESON_ARGS:-}
fi
echo "== building" >&2
ninja -C "$BUILD"

case "$mode" in
  build) ;;
  test)
    echo "== meson test" >&2
    meson test -C "$BUILD" --print-errorlogs --num-processes 2
    ;;
  run)
    export CW_DATA_DIR="$top/data"
    if [ -x "$BUILD/app/gui/cliffwatch" ]; then
      exec "$BUILD/app/gui/cliffwatch"
    fi
    echo "cliffwatch: the workbench was not built (no GTK 4 / libadwaita); printing the plan for the default preset" >&2
    exec "$BUILD/app/cli/cliffwatch-cli" plan --preset deepseek-v4-flash --gpu h200
    ;;
esac
