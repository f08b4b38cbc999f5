#!/usr/bin/env bash
# Build Cliffwatch on the lent GPU machine (Ubuntu 24.04, CUDA 13, no GTK, no sqlite3.h).
# Usage (inside a device `run`, with carry: [".debs"]):
#   source tools/device-build.sh            # sets BUILD=/tmp/cwbuild and builds
#   meson test -C "$BUILD" --suite gpu ...
# The Debian libsqlite3-dev .deb in .debs/ (git-ignored, fetched with
# `apt-get download libsqlite3-dev`) gives the headers; the machine's own
# libsqlite3.so.0 is what the programs link against.
set -euo pipefail
export PATH=/usr/local/cuda/bin:$PATH
SQ=/tmp/sqlite-dev
if [ ! -f "$SQ/usr/include/sqlite3.h" ]; then
  mkdir -p "$SQ"
  dpkg -x .debs/libsqlite3-dev_*.deb "$SQ"
fi
libdir=$(dirname "$(ldconfig -p | awk '/libsqlite3.so.0 /{print $NF; exit}')")
mkdir -p "$SQ/lib" "$SQ/pkgconfig"
ln -sf "$libdir/libsqlite3.so.0" "$SQ/lib/libsqlite3.so"
cat > "$SQ/pkgconfig/sqlite3.pc" <<PC
Name: SQLite
Description: SQL database engine (headers from Debian libsqlite3-dev, library from the host)
Version: 3.40.1
Libs: -L$SQ/lib -lsqlite3
Cflags: -I$SQ/usr/include
PC
export PKG_CONFIG_PATH="$SQ/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export LD_LIBRARY_PATH="$libdir:/usr/local/cuda/lib64:/usr/local/cuda/extras/CUPTI/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
BUILD=${BUILD:-/tmp/cwbuild}
export BUILD
if [ ! -d "$BUILD" ]; then
  meson setup "$BUILD" -Dcuda=enabled -Dgui=disabled -Dcairo=disabled -Dsqlite=enabled \
    --buildtype=release > /tmp/cw-setup.log 2>&1 || { cat /tmp/cw-setup.log; exit 1; }
fi
ninja -C "$BUILD" > /tmp/cw-build.log 2>&1 || { tail -60 /tmp/cw-build.log; exit 1; }
set +euo pipefail
