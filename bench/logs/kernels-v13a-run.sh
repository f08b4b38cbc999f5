#!/usr/bin/env bash
# kernels v13a on the device, one call (carry [".debs"]):
#   bash bench/logs/kernels-v13a-run.sh
# v13a: top-k candidates appended once per warp per 8 keys (float compare
# against the threshold), and the bitonic sort with warp-local stages for
# strides <= 32. Build, GPU tests (twice, two seeds), compute-sanitizer
# memcheck, the split at S=65,536 and S=262,144 (twice), then the full
# bench. Files in $OUT.
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
bash bench/cw-kernels-device-run.sh build,test,sanitize
B=/tmp/cwbuild; [ -x $B/tests/gpu/test-kernels-gpu ] || B=/tmp/cwbuild-k
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
grep -q "test-kernels-gpu rc=0" "$OUT/test.txt"; rc=$?
grep -E "crafted" "$OUT/test.txt"
timeout 90 $B/tests/gpu/test-kernels-gpu > "$OUT/test2.txt" 2>&1
r=$?; echo "test (second seed) rc=$r $(tail -1 "$OUT/test2.txt")"; [ $r = 0 ] || rc=1
for rep in 1 2; do
  for split in 65536 262144; do
    echo "== rep $rep --split $split"
    timeout 60 $B/bench/cw-bench-kernels --sizes $split --no-oom --no-ceiling --split $split 2>&1 | grep -E "^streaming|^split"
  done
done 2>&1 | tee "$OUT/ab.txt"
if [ $rc = 0 ]; then
  timeout 120 $B/bench/cw-bench-kernels --sizes 65536,262144,1048576 --no-oom --split 262144 2>&1 | tee "$OUT/bench.txt"
fi
rm -f "$OUT/build.txt"
