#!/usr/bin/env bash
# kernels v13g on the device (carry [".debs"]): where the v13e top-k (256
# threads per row) spends its time at S=65,536: one topk_kernel launch under
# Nsight Compute (WarpStateStats + SourceCounters), source page as CSV.
#   bash bench/logs/kernels-v13g-ncu-topk.sh
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
bash bench/cw-kernels-device-run.sh build > "$OUT/build.txt" 2>&1 || { tail -30 "$OUT/build.txt"; exit 1; }
B=/tmp/cwbuild; [ -x $B/bench/cw-bench-kernels ] || B=/tmp/cwbuild-k
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
for S in 65536; do
  skip=$([ $S = 65536 ] && echo 5 || echo 70)
  timeout 200 ncu --kernel-name regex:topk_kernel --launch-skip $skip --launch-count 1 \
    --section SpeedOfLight --section ComputeWorkloadAnalysis --section WarpStateStats --section SourceCounters \
    --section SchedulerStats --section LaunchStats --import-source no -f -o /tmp/topk$S \
    $B/bench/cw-bench-kernels --sizes $S --no-oom --no-ceiling --split 1 > /tmp/ncu-$S.txt 2>&1
  echo "ncu S=$S rc=$?"
  ncu -i /tmp/topk$S.ncu-rep --page details --print-details all > "$OUT/topk-$S-details.txt" 2>&1
  ncu -i /tmp/topk$S.ncu-rep --page source --csv --print-source sass 2>&1 | gzip > "$OUT/topk-$S-source.csv.gz"
  grep -E "Duration|Grid Size|Issue Slots Busy|No Eligible|Achieved Occupancy" "$OUT/topk-$S-details.txt" | head -6
done
rm -f "$OUT/build.txt"
