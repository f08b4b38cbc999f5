#!/usr/bin/env bash
# kernels v10d (split-N consumer, CW_WS_SPLIT_N=1) on the device — NOT RUN YET.
# One call (carry [".debs"]): bash bench/logs/kernels-v10d-ab.sh
# Build + GPU tests at the default (v10c), the GPU tests and memcheck with
# CW_WS_SPLIT_N=1 (they decide whether it is bit-identical), then A/B at
# S=65,536/262,144 (default, split-N) and, if split-N passed its tests, the
# full bench with it. Files in $OUT.
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
bash bench/cw-kernels-device-run.sh build,sass,test
B=/tmp/cwbuild; [ -x $B/tests/gpu/test-kernels-gpu ] || B=/tmp/cwbuild-k
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
CW_WS_SPLIT_N=1 timeout 60 $B/tests/gpu/test-kernels-gpu > "$OUT/test-split-n.txt" 2>&1
rc=$?; echo "test CW_WS_SPLIT_N=1 rc=$rc"; grep -E "FAIL|passed" "$OUT/test-split-n.txt" | head
CW_WS_SPLIT_N=1 timeout 120 compute-sanitizer --tool memcheck --leak-check no --report-api-errors no \
  $B/tests/gpu/test-kernels-gpu > "$OUT/sanitizer-split-n.txt" 2>&1
echo "sanitizer (split-N) rc=$?"; grep -E "ERROR SUMMARY|passed" "$OUT/sanitizer-split-n.txt"
for env in "CW_WS_DEFAULT=1" "CW_WS_SPLIT_N=1"; do
  echo "== $env"
  env $env timeout 60 $B/bench/cw-bench-kernels --sizes 65536,262144 --no-oom --no-ceiling --split 262144 2>&1 \
    | grep -E "^streaming|^split"
done 2>&1 | tee "$OUT/ab.txt"
if [ $rc = 0 ]; then
  echo "== full bench (CW_WS_SPLIT_N=1)"
  CW_WS_SPLIT_N=1 timeout 60 $B/bench/cw-bench-kernels --sizes 65536,262144,1048576 --no-oom --split 262144 2>&1 \
    | tee "$OUT/bench.txt"
fi
