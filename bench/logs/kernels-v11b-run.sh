#!/usr/bin/env bash
# kernels v11b on the device, one call (carry [".debs"]):
#   bash bench/logs/kernels-v11b-run.sh
# Build + GPU tests at the default (v11b: top-k sort with shuffles), the GPU
# tests again with the v10 shared-memory sort (CW_TOPK_SORT=shared),
# compute-sanitizer (default), A/B of the two sorts with the score/top-k
# split at S=65,536 and at S=262,144, then (if the default passed) the full
# bench and S=4,194,304 once. Files in $OUT (at most 8 come back).
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
bash bench/cw-kernels-device-run.sh build,sass,test
B=/tmp/cwbuild; [ -x $B/tests/gpu/test-kernels-gpu ] || B=/tmp/cwbuild-k
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
grep -q "test-kernels-gpu rc=0" "$OUT/test.txt"; rc=$?
CW_TOPK_SORT=shared timeout 60 $B/tests/gpu/test-kernels-gpu > "$OUT/test-shared-sort.txt" 2>&1
echo "test CW_TOPK_SORT=shared rc=$? $(tail -1 "$OUT/test-shared-sort.txt")"
timeout 120 compute-sanitizer --tool memcheck --leak-check no --report-api-errors no $B/tests/gpu/test-kernels-gpu \
  > "$OUT/sanitizer.txt" 2>&1; echo "sanitizer rc=$?"; grep -E "ERROR SUMMARY|passed" "$OUT/sanitizer.txt"
for split in 65536 262144; do
  for env in "CW_TOPK_SORT=shared" "CW_TOPK_SORT=shuffle"; do
    echo "== $env --split $split"
    env $env timeout 60 $B/bench/cw-bench-kernels --sizes $split --no-oom --no-ceiling --split $split 2>&1 \
      | grep -E "^streaming|^split"
  done
done 2>&1 | tee "$OUT/ab.txt"
if [ $rc = 0 ]; then
  echo "== full bench (default)"
  timeout 80 $B/bench/cw-bench-kernels --sizes 65536,262144,1048576 --no-oom --split 262144 2>&1 | tee "$OUT/bench.txt"
  echo "== S=4194304 once (default)"
  timeout 240 $B/bench/cw-bench-kernels --sizes 4194304 --no-oom --no-ceiling --split 1 2>&1 | tee "$OUT/bench-4m.txt"
  echo "rc=$?"
fi
rm -f "$OUT/build.txt"
