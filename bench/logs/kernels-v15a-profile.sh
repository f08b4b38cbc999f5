#!/usr/bin/env bash
# kernels v15a on the device (carry [".debs"]): where the committed top-k
# (v13j/k) spends its time at S=65,536, per CUDA source line (the kernels
# build with -lineinfo), and what the chunk count costs at S=65,536
# (budget 480 MiB = 9 chunks vs 2048 MiB = 3 chunks; measurement only).
#   bash bench/logs/kernels-v15a-profile.sh
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
bash bench/cw-kernels-device-run.sh build > "$OUT/build.txt" 2>&1 || { tail -30 "$OUT/build.txt"; exit 1; }
B=/tmp/cwbuild; [ -x $B/bench/cw-bench-kernels ] || B=/tmp/cwbuild-k
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv,noheader
for budget in 480 2048; do
  for rep in 1 2; do
    $B/bench/cw-bench-kernels --sizes 65536 --no-oom --no-ceiling --budget-mib $budget --split 65536 2>&1 \
      | grep -E "^split|^ *65536" | sed "s/^/budget=$budget rep=$rep: /"
  done
done | tee "$OUT/budget-ab.txt"
timeout 240 ncu --kernel-name regex:topk_kernel --launch-skip 5 --launch-count 1 \
  --section SpeedOfLight --section WarpStateStats --section SourceCounters --section SchedulerStats \
  --section LaunchStats --section Occupancy --import-source yes -f -o /tmp/topk65536 \
  $B/bench/cw-bench-kernels --sizes 65536 --no-oom --no-ceiling --split 1 > "$OUT/ncu-run.txt" 2>&1
echo "ncu rc=$?"
ncu -i /tmp/topk65536.ncu-rep --page details --print-details all > "$OUT/topk-65536-details.txt" 2>&1
ncu -i /tmp/topk65536.ncu-rep --page source --csv --print-source cuda 2>&1 | gzip > "$OUT/topk-65536-cuda.csv.gz"
ncu -i /tmp/topk65536.ncu-rep --page source --csv --print-source sass 2>&1 | gzip > "$OUT/topk-65536-sass.csv.gz"
grep -E "Duration|Grid Size|Issue Slots Busy|No Eligible|Achieved Occupancy|Registers Per" "$OUT/topk-65536-details.txt" | head -8
zcat "$OUT/topk-65536-cuda.csv.gz" | head -c 600; echo
rm -f "$OUT/build.txt"
