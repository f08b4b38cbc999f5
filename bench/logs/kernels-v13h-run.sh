#!/usr/bin/env bash
# kernels v13h on the device, one call (carry [".debs"]):
#   bash bench/logs/kernels-v13h-run.sh
# v13h: the top-k's shared memory sized by k (36 KB for k = 512, was 48 KB),
# so 6 rows of 256 threads fit per SM (ncu v13g: 4). GPU tests at the
# default and forced to 512 and 256 threads, memcheck, then the split at
# S=65,536 and S=262,144 forced 512 vs 256, twice, and the full bench.
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
bash bench/cw-kernels-device-run.sh build,test
B=/tmp/cwbuild; [ -x $B/tests/gpu/test-kernels-gpu ] || B=/tmp/cwbuild-k
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
grep -E "crafted" "$OUT/test.txt"
CW_TOPK_THREADS=512 timeout 90 $B/tests/gpu/test-kernels-gpu > "$OUT/test-512.txt" 2>&1
echo "test CW_TOPK_THREADS=512 rc=$? $(tail -1 "$OUT/test-512.txt")"
CW_TOPK_THREADS=256 timeout 90 $B/tests/gpu/test-kernels-gpu > "$OUT/test-256.txt" 2>&1
echo "test CW_TOPK_THREADS=256 rc=$? $(tail -1 "$OUT/test-256.txt")"; grep -E "crafted" "$OUT/test-256.txt"
timeout 200 compute-sanitizer --tool memcheck --leak-check no --report-api-errors no \
  $B/tests/gpu/test-kernels-gpu > "$OUT/sanitizer-256.txt" 2>&1
echo "sanitizer rc=$?"; grep -E "ERROR SUMMARY" "$OUT/sanitizer-256.txt"
for rep in 1 2; do
  for split in 65536 262144; do
    for nt in 512 256; do
      echo "== rep $rep CW_TOPK_THREADS=$nt --split $split"
      CW_TOPK_THREADS=$nt timeout 60 $B/bench/cw-bench-kernels --sizes $split --no-oom --no-ceiling --split $split 2>&1 \
        | grep -E "^streaming|^split"
    done
  done
done 2>&1 | tee "$OUT/ab.txt"
timeout 120 $B/bench/cw-bench-kernels --sizes 65536,262144,1048576 --no-oom --split 262144 2>&1 | tee "$OUT/bench.txt"
rm -f "$OUT/build.txt"
