#!/usr/bin/env bash
# kernels v14a on the device, one call (carry [".debs"]):
#   bash bench/logs/kernels-v14a-run.sh
# v14a: three consumers of 3 rows each (CW_WS_CONSUMERS=3, wgmma N=192).
# Build, GPU tests at the default and with CW_WS_CONSUMERS=3, memcheck with
# it, the SASS count of its wgmma, then A/B of the split at S=65,536 and
# S=262,144 (default vs 3 consumers), two reps interleaved.
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
bash bench/cw-kernels-device-run.sh build,test
B=/tmp/cwbuild; [ -x $B/tests/gpu/test-kernels-gpu ] || B=/tmp/cwbuild-k
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
echo "ws3 HGMMA: $(cuobjdump --dump-sass -fun '_Z22score_wgmma_ws3_kernelILi256EEv11ScoreParamsj' $B/kernels/libcwkernels.a 2>/dev/null | grep -c HGMMA)"
CW_WS_CONSUMERS=3 timeout 90 $B/tests/gpu/test-kernels-gpu > "$OUT/test-ws3.txt" 2>&1
r=$?; echo "test CW_WS_CONSUMERS=3 rc=$r $(tail -1 "$OUT/test-ws3.txt")"
grep -E "FAIL|differ" "$OUT/test-ws3.txt" | head -5
CW_WS_CONSUMERS=3 timeout 200 compute-sanitizer --tool memcheck --leak-check no --report-api-errors no \
  $B/tests/gpu/test-kernels-gpu > "$OUT/sanitizer-ws3.txt" 2>&1
echo "sanitizer (ws3) rc=$?"; grep -E "ERROR SUMMARY" "$OUT/sanitizer-ws3.txt"
if [ $r = 0 ]; then
  for rep in 1 2; do
    for split in 65536 262144; do
      for nc in 2 3; do
        echo "== rep $rep consumers=$nc --split $split"
        CW_WS_CONSUMERS=$nc timeout 60 $B/bench/cw-bench-kernels --sizes $split --no-oom --no-ceiling --split $split 2>&1 \
          | grep -E "^streaming|^split"
      done
    done
  done 2>&1 | tee "$OUT/ab.txt"
fi
rm -f "$OUT/build.txt"
