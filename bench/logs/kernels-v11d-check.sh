#!/usr/bin/env bash
# kernels v11 final check on the device, one call (carry [".debs"]):
#   bash bench/logs/kernels-v11d-check.sh
# Build + GPU tests + compute-sanitizer at the committed default (v10c score,
# per-value top-k histograms), then one Nsight Compute profile of one top-k
# launch at S=262,144 (clocks left alone) with the stall reasons, for the
# next round: two guesses at the top-k's bound failed in v11b/v11c.
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
bash bench/cw-kernels-device-run.sh build,sass,test,sanitize
B=/tmp/cwbuild; [ -x $B/tests/gpu/test-kernels-gpu ] || B=/tmp/cwbuild-k
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
echo "== ncu topk_kernel"
timeout 200 ncu --clock-control none -k regex:topk_kernel --launch-skip 60 --launch-count 1 \
  --section SpeedOfLight --section ComputeWorkloadAnalysis --section MemoryWorkloadAnalysis \
  --section WarpStateStats --section SchedulerStats --section Occupancy --section LaunchStats \
  --metrics regex:smsp__average_warps_issue_stalled_.*_per_issue_active\.ratio \
  $B/bench/cw-bench-kernels --sizes 262144 --no-oom --no-ceiling --split 1 > "$OUT/ncu-topk.txt" 2>&1
echo "ncu rc=$?"
grep -E "Duration|SM Frequency|Compute \(SM\) Throughput|Memory Throughput|DRAM Throughput|L1/TEX Hit|L2 Hit|Issue Slots Busy|Warp Cycles Per Issued|No Eligible|Active Warps Per Scheduler|Achieved Occupancy|Theoretical Occupancy|Block Limit|Registers Per|Executed Ipc A" "$OUT/ncu-topk.txt" | head -30
grep -E "issue_stalled" "$OUT/ncu-topk.txt" | sort -k3 -g -r | head -12
rm -f "$OUT/build.txt"
