#!/usr/bin/env bash
# kernels v17e on the device (carry [".debs"]): where the top-k spends its
# time at S=1,048,576 (480 rows per chunk, ~131K legal keys per row on
# average): Nsight Compute on one late top-k launch (rows of ~250K keys),
# per-source-line samples (the kernels build with -lineinfo). No change.
#   bash bench/logs/kernels-v17e-topk-1m-profile.sh
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
echo "== $(date -u +%FT%TZ) $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader)"
source tools/device-build.sh > "$OUT/build.txt" 2>&1 || { tail -40 "$OUT/build.txt"; exit 1; }
set +eu
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
timeout 400 ncu --kernel-name regex:topk_kernel --launch-skip 2000 --launch-count 1 \
  --section SpeedOfLight --section MemoryWorkloadAnalysis --section WarpStateStats --section SourceCounters \
  --section SchedulerStats --section LaunchStats --section Occupancy --import-source yes -f -o /tmp/topk1m \
  "$BUILD/bench/cw-bench-kernels" --sizes 1048576 --no-oom --no-ceiling --split 1048576 > "$OUT/ncu-run.txt" 2>&1
echo "ncu rc=$?"; tail -3 "$OUT/ncu-run.txt"
ncu -i /tmp/topk1m.ncu-rep --page details --print-details all > "$OUT/topk-1m-details.txt" 2>&1
ncu -i /tmp/topk1m.ncu-rep --page source --csv --print-source cuda 2>&1 | gzip > "$OUT/topk-1m-cuda.csv.gz"
grep -E "Duration|Grid Size|Issue Slots Busy|No Eligible|Achieved Occupancy|DRAM Throughput|Memory Throughput|L2 Hit|Registers Per|Block Limit" "$OUT/topk-1m-details.txt" | head -16
# the source lines with the most warp-stall samples
python3 - "$OUT/topk-1m-cuda.csv.gz" <<'PY'
import csv, gzip, sys
rows = list(csv.reader(gzip.open(sys.argv[1], 'rt')))
hdr = next((i for i, r in enumerate(rows) if 'Source' in r and any('Sampling' in c for c in r)), None)
if hdr is None:
    print('no header found'); sys.exit()
h = rows[hdr]; si = h.index('Source'); li = h.index('#') if '#' in h else 0
ci = next(i for i, c in enumerate(h) if c.startswith('Warp Stall Sampling (All'))
data = []
for r in rows[hdr + 1:]:
    try: data.append((float(r[ci] or 0), r[li], r[si].strip()[:90]))
    except (ValueError, IndexError): pass
tot = sum(d[0] for d in data) or 1
for v, ln, src in sorted(data, reverse=True)[:25]:
    print(f"{100*v/tot:5.1f}%  line {ln}: {src}")
PY
rm -f "$OUT/build.txt"
