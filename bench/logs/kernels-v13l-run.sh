#!/usr/bin/env bash
# kernels v13l on the device, one call (carry [".debs"]):
#   bash bench/logs/kernels-v13l-run.sh
# v13l: the default turn order per launch: ORDER_HALF when every row has at
# most 16,384 legal keys, else ORDER_ISSUE. GPU tests, then A/B of the
# split at S=65,536 and S=262,144: default vs CW_WS_ORDER=1 (ISSUE for all),
# three reps interleaved, then the full bench.
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
bash bench/cw-kernels-device-run.sh build,test
B=/tmp/cwbuild; [ -x $B/tests/gpu/test-kernels-gpu ] || B=/tmp/cwbuild-k
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
for rep in 1 2 3; do
  for split in 65536 262144; do
    for o in auto 1; do
      echo "== rep $rep order=$o --split $split"
      if [ $o = auto ]; then e=; else e="CW_WS_ORDER=$o"; fi
      env $e timeout 60 $B/bench/cw-bench-kernels --sizes $split --no-oom --no-ceiling --split $split 2>&1 \
        | grep -E "^streaming|^split"
    done
  done
done 2>&1 | tee "$OUT/ab.txt"
timeout 120 $B/bench/cw-bench-kernels --sizes 65536,262144,1048576 --no-oom --split 262144 2>&1 | tee "$OUT/bench.txt"
rm -f "$OUT/build.txt"
