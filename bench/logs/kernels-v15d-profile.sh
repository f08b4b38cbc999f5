#!/usr/bin/env bash
# kernels v15d on the device (carry [".debs"]): (1) the key split of the
# score kernel now that blocks run longest first (CW_WS_KEYS=4096|8192|16384
# against balanced_keys), split bench at S=65,536 and 262,144; (2) where the
# v15c top-k spends its warp time at S=65,536 (Nsight Compute source page).
#   bash bench/logs/kernels-v15d-profile.sh
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
bash bench/cw-kernels-device-run.sh build > "$OUT/build.txt" 2>&1 || { tail -30 "$OUT/build.txt"; exit 1; }
B=/tmp/cwbuild; [ -x $B/bench/cw-bench-kernels ] || B=/tmp/cwbuild-k
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
for keys in auto 16384 8192 4096 auto; do
  for S in 65536 262144; do
    if [ $keys = auto ]; then unset CW_WS_KEYS; else export CW_WS_KEYS=$keys; fi
    $B/bench/cw-bench-kernels --sizes $S --no-oom --no-ceiling --split $S 2>&1 | grep -E "^split" | sed "s/^/keys=$keys: /"
  done
done | tee "$OUT/keys-ab.txt"
unset CW_WS_KEYS
timeout 240 ncu --kernel-name regex:topk_kernel --launch-skip 5 --launch-count 1 \
  --section SpeedOfLight --section WarpStateStats --section SourceCounters --section SchedulerStats \
  --section Occupancy -f -o /tmp/topk65536 \
  $B/bench/cw-bench-kernels --sizes 65536 --no-oom --no-ceiling --split 1 > "$OUT/ncu-run.txt" 2>&1
echo "ncu rc=$?"
ncu -i /tmp/topk65536.ncu-rep --page details --print-details all > "$OUT/topk-65536-details.txt" 2>&1
ncu -i /tmp/topk65536.ncu-rep --page source --csv --print-source sass 2>&1 | gzip > "$OUT/topk-65536-sass.csv.gz"
grep -E "Duration|Issue Slots Busy|No Eligible|Achieved Occupancy" "$OUT/topk-65536-details.txt" | head -5
rm -f "$OUT/build.txt"
