#!/usr/bin/env bash
# kernels v13d on the device, one call (carry [".debs"]):
#   bash bench/logs/kernels-v13d-run.sh
# v13d: the v13a top-k took 40 registers, so only 3 blocks of 512 threads
# fit per SM (4 before). A/B: 512 threads capped at 32 registers (4 rows
# per SM, the default here) vs 256 threads at 40 registers (6 rows per SM,
# CW_TOPK_THREADS=256). GPU tests under both, memcheck under 256, the split
# at S=65,536 and S=262,144 twice, interleaved. Files in $OUT.
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
bash bench/cw-kernels-device-run.sh build,test
B=/tmp/cwbuild; [ -x $B/tests/gpu/test-kernels-gpu ] || B=/tmp/cwbuild-k
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
grep -E "crafted" "$OUT/test.txt"
CW_TOPK_THREADS=256 timeout 90 $B/tests/gpu/test-kernels-gpu > "$OUT/test-256.txt" 2>&1
echo "test CW_TOPK_THREADS=256 rc=$? $(tail -1 "$OUT/test-256.txt")"; grep -E "crafted" "$OUT/test-256.txt"
CW_TOPK_THREADS=256 timeout 200 compute-sanitizer --tool memcheck --leak-check no --report-api-errors no \
  $B/tests/gpu/test-kernels-gpu > "$OUT/sanitizer-256.txt" 2>&1
echo "sanitizer (256) rc=$?"; grep -E "ERROR SUMMARY" "$OUT/sanitizer-256.txt"
for rep in 1 2; do
  for split in 65536 262144; do
    for nt in 512 256; do
      echo "== rep $rep CW_TOPK_THREADS=$nt --split $split"
      CW_TOPK_THREADS=$nt timeout 60 $B/bench/cw-bench-kernels --sizes $split --no-oom --no-ceiling --split $split 2>&1 \
        | grep -E "^streaming|^split"
    done
  done
done 2>&1 | tee "$OUT/ab.txt"
rm -f "$OUT/build.txt"
