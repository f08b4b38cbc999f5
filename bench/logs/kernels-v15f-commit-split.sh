#!/usr/bin/env bash
# kernels v15f on the device (carry [".debs"]): does the other consumer's
# wgmma interleave with ours? ORDER_HALF lets it in once the first
# CW_WS_COMMIT_SPLIT/8 of our tile's wgmma completed; builds with split 4
# (default), 6 and 7, split score at S=65,536 and 262,144 against ORDER_ISSUE.
#   bash bench/logs/kernels-v15f-commit-split.sh
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
bash bench/cw-kernels-device-run.sh build > "$OUT/build.txt" 2>&1 || { tail -30 "$OUT/build.txt"; exit 1; }
source tools/device-build.sh > /dev/null 2>&1
for sp in 6 7; do
  meson setup /tmp/cwb$sp -Dcuda=enabled -Dgui=disabled -Dcairo=disabled -Dsqlite=enabled --buildtype=release \
    -Dcuda_args=-DCW_WS_COMMIT_SPLIT=$sp > /tmp/setup$sp.txt 2>&1 || { tail -5 /tmp/setup$sp.txt; exit 1; }
  ninja -C /tmp/cwb$sp bench/cw-bench-kernels > /tmp/build$sp.txt 2>&1 || { tail -20 /tmp/build$sp.txt; exit 1; }
done
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
for rep in 1 2; do
  for v in "cwbuild 1" "cwbuild 2" "cwb6 2" "cwb7 2"; do
    set -- $v
    for S in 65536 262144; do
      CW_WS_ORDER=$2 /tmp/$1/bench/cw-bench-kernels --sizes $S --no-oom --no-ceiling --split $S 2>&1 | grep -E "^split" \
        | sed "s/^/build=$1 order=$2 rep=$rep: /"
    done
  done
done | tee "$OUT/ab.txt"
rm -f "$OUT/build.txt"
