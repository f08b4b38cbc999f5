#!/usr/bin/env bash
# kernels v10c on the device, one call (carry [".debs"]):
#   bash bench/logs/kernels-v10c-run.sh
# Build + GPU tests (default knobs), the GPU test again under non-default
# knobs, compute-sanitizer (default), A/B at S=65,536/262,144 (v9, v11 with
# the fixed 8192-key split, v11 default), the full bench with SM clock and
# power sampled, fp8, one Nsight Compute profile of one v11 score launch,
# and the SASS. Files in $OUT (at most 8 come back).
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
bash bench/cw-kernels-device-run.sh build,sass,test
B=/tmp/cwbuild; [ -x $B/tests/gpu/test-kernels-gpu ] || B=/tmp/cwbuild-k
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
for env in "CW_WS_KEYS=8192" "CW_WS_ORDER=1" "CW_WS_ORDER=3 CW_WS_KEYS=4096" "CW_SCORE_KERNEL=v9"; do
  env $env timeout 60 $B/tests/gpu/test-kernels-gpu > "$OUT/test-knobs.txt" 2>&1
  echo "test $env rc=$? $(tail -1 "$OUT/test-knobs.txt")"
done
timeout 120 compute-sanitizer --tool memcheck --leak-check no --report-api-errors no $B/tests/gpu/test-kernels-gpu \
  > "$OUT/sanitizer.txt" 2>&1; echo "sanitizer rc=$?"; grep -E "ERROR SUMMARY|passed" "$OUT/sanitizer.txt"
for env in "CW_SCORE_KERNEL=v9" "CW_WS_KEYS=8192" "CW_WS_DEFAULT=1"; do
  echo "== $env"
  env $env timeout 60 $B/bench/cw-bench-kernels --sizes 65536,262144 --no-oom --no-ceiling --split 262144 \
    > "$OUT/ab-one.txt" 2>&1
  grep -E "^streaming|^split" "$OUT/ab-one.txt"
done 2>&1 | tee "$OUT/ab.txt"
nvidia-smi --query-gpu=timestamp,clocks.sm,clocks.mem,power.draw,temperature.gpu --format=csv -lms 250 \
  > "$OUT/clocks.txt" 2>&1 &
smi=$!
echo "== full bench (default)"
timeout 60 $B/bench/cw-bench-kernels --sizes 65536,262144,1048576 --no-oom --split 262144 2>&1 | tee "$OUT/bench.txt"
kill $smi
echo "== fp8 (default)"
timeout 40 $B/bench/cw-bench-kernels --fp8 --sizes 65536,262144,1048576 --no-oom --no-ceiling --split 262144 2>&1 \
  | tee "$OUT/bench-fp8.txt"
echo "== ncu"
timeout 150 ncu -k regex:score_wgmma_ws --launch-skip 100 --launch-count 1 --section SpeedOfLight \
  --section ComputeWorkloadAnalysis --section MemoryWorkloadAnalysis --section WarpStateStats \
  --section SchedulerStats --section Occupancy \
  $B/bench/cw-bench-kernels --sizes 262144 --no-oom --no-ceiling --split 1 > "$OUT/ncu.txt" 2>&1
echo "ncu rc=$?"; grep -E "Duration|Compute \(SM\) Throughput|Memory Throughput|Issue Slots Busy|Warp Cycles Per Issued|No Eligible|L2 Hit|DRAM Throughput|SM Frequency" "$OUT/ncu.txt" | head -20
cuobjdump --dump-sass $B/kernels/libcwkernels.a 2>/dev/null | awk '/Function : .*score_wgmma_ws_kernelILi256ELb0/{f=1;print;next} /Function : /{f=0} f' \
  | gzip > "$OUT/sass-ws-bf16.txt.gz"
rm -f "$OUT/ab-one.txt" "$OUT/test-knobs.txt" "$OUT/build.txt"
