#!/usr/bin/env bash
# kernels v13f on the device, one call (carry [".debs"]):
#   bash bench/logs/kernels-v13f-run.sh
# v13f: the score epilogue's output address and bound computed once per
# block (per lane) instead of per tile. GPU tests, memcheck, the split at
# S=65,536 and S=262,144 three times (compare with kernels-v13e-ab.txt,
# another call: this change has no knob), then the full bench.
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
bash bench/cw-kernels-device-run.sh build,test,sanitize
B=/tmp/cwbuild; [ -x $B/tests/gpu/test-kernels-gpu ] || B=/tmp/cwbuild-k
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
for rep in 1 2 3; do
  for split in 65536 262144; do
    echo "== rep $rep --split $split"
    timeout 60 $B/bench/cw-bench-kernels --sizes $split --no-oom --no-ceiling --split $split 2>&1 | grep -E "^streaming|^split"
  done
done 2>&1 | tee "$OUT/ab.txt"
timeout 120 $B/bench/cw-bench-kernels --sizes 65536,262144,1048576 --no-oom --split 262144 2>&1 | tee "$OUT/bench.txt"
rm -f "$OUT/build.txt"
