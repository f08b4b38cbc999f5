#!/usr/bin/env bash
# kernels v12d on the device, one call (carry [".debs"]):
#   bash bench/logs/kernels-v12d-run.sh
# v12d: setmaxnreg (producer 40, consumers 232) and the weights in registers;
# otherwise as v12c. Build, the
# consumer's wgmma issue sequence in SASS, GPU tests (default and
# CW_WS_ORDER=1), A/B of the split score for orders 0, 1, 4 at S=65,536 and
# S=262,144, Nsight Compute source-level stall samples for the default,
# then the full bench. Files in $OUT (at most 8 come back).
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
bash bench/cw-kernels-device-run.sh build,test
B=/tmp/cwbuild; [ -x $B/tests/gpu/test-kernels-gpu ] || B=/tmp/cwbuild-k
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
grep -q "test-kernels-gpu rc=0" "$OUT/test.txt"; rc=$?
cuobjdump --dump-sass -fun '_Z21score_wgmma_ws_kernelILi256ELb0ELb0EEv11ScoreParamsji' $B/kernels/libcwkernels.a \
  > "$OUT/sass-ws-bf16.txt" 2>&1
echo "SASS: $(grep -c HGMMA "$OUT/sass-ws-bf16.txt") HGMMA, $(grep -c "STL\|LDL" "$OUT/sass-ws-bf16.txt") STL/LDL, $(grep -c "LDS" "$OUT/sass-ws-bf16.txt") LDS, $(grep -c SETMAXREG "$OUT/sass-ws-bf16.txt") SETMAXREG, $(grep -c R2UR "$OUT/sass-ws-bf16.txt") R2UR, $(grep -c LDGSTS "$OUT/sass-ws-bf16.txt") LDGSTS"
grep -B3 -A1 "HGMMA" "$OUT/sass-ws-bf16.txt" | grep -oE "(HGMMA|R2UR|UIADD3|IADD3|LOP3|SHF|VIADD|UMOV|MOV|IMAD)[.A-Z0-9]*" | sort | uniq -c | sort -rn | head
CW_WS_ORDER=1 timeout 90 $B/tests/gpu/test-kernels-gpu > "$OUT/test-order1.txt" 2>&1
r=$?; echo "test CW_WS_ORDER=1 rc=$r $(tail -1 "$OUT/test-order1.txt")"; [ $r = 0 ] || rc=1
for split in 65536 262144; do
  for o in 0 1 0; do
    echo "== CW_WS_ORDER=$o --split $split"
    CW_WS_ORDER=$o timeout 60 $B/bench/cw-bench-kernels --sizes $split --no-oom --no-ceiling --split $split 2>&1 \
      | grep -E "^streaming|^split"
  done
done 2>&1 | tee "$OUT/ab.txt"
timeout 200 ncu --kernel-name regex:score_wgmma_ws --launch-skip 20 --launch-count 1 \
  --section SpeedOfLight --section ComputeWorkloadAnalysis --section WarpStateStats --section SourceCounters \
  --section SchedulerStats --import-source no -f -o /tmp/score \
  $B/bench/cw-bench-kernels --sizes 262144 --no-oom --no-ceiling --split 1 > /tmp/ncu-run.txt 2>&1
echo "ncu rc=$?"
ncu -i /tmp/score.ncu-rep --page details --print-details all > "$OUT/ncu-details.txt" 2>&1
ncu -i /tmp/score.ncu-rep --page source --csv --print-source sass 2>&1 | gzip > "$OUT/ncu-source.csv.gz"
grep -E "Tensor \(FP\)|Issue Slots Busy|No Eligible" "$OUT/ncu-details.txt" | head -4
if [ $rc = 0 ]; then
  timeout 120 $B/bench/cw-bench-kernels --sizes 65536,262144,1048576 --no-oom --split 262144 2>&1 | tee "$OUT/bench.txt"
fi
rm -f "$OUT/build.txt"
