#!/usr/bin/env bash
# kernels v12b on the device (carry [".debs"]): where the v10c score kernel's
# warps wait, per SASS instruction. One score_wgmma_ws_kernel launch at
# S=262,144 under Nsight Compute (WarpStateStats + SourceCounters), then the
# source page as CSV (per-instruction stall samples), plus the details page.
#   bash bench/logs/kernels-v12b-ncu.sh
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
bash bench/cw-kernels-device-run.sh build > "$OUT/build.txt" 2>&1 || { tail -30 "$OUT/build.txt"; exit 1; }
B=/tmp/cwbuild; [ -x $B/bench/cw-bench-kernels ] || B=/tmp/cwbuild-k
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
NCU=$(command -v ncu || ls /usr/local/cuda/bin/ncu /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | head -1)
echo "ncu: $NCU $($NCU --version | tail -1)"
timeout 300 $NCU --kernel-name regex:score_wgmma_ws --launch-skip 20 --launch-count 1 \
  --section SpeedOfLight --section ComputeWorkloadAnalysis --section WarpStateStats --section SourceCounters \
  --section SchedulerStats --section InstructionStats --import-source no -f -o "$OUT/score" \
  $B/bench/cw-bench-kernels --sizes 262144 --no-oom --no-ceiling --split 1 > "$OUT/ncu-run.txt" 2>&1
echo "ncu rc=$?"; tail -3 "$OUT/ncu-run.txt"
$NCU -i "$OUT/score.ncu-rep" --page details --print-details all > "$OUT/details.txt" 2>&1; echo "details rc=$?"
$NCU -i "$OUT/score.ncu-rep" --page source --csv --print-source sass > "$OUT/source.csv" 2>&1; echo "source rc=$? $(wc -l < "$OUT/source.csv") lines"
head -3 "$OUT/source.csv" | cut -c1-600
gzip -k "$OUT/source.csv"
ls -la "$OUT"
rm -f "$OUT/build.txt" "$OUT/source.csv"
# The epilogue-free timing probe (-DCW_WS_PROBE=1, wrong scores by design):
# split score at S=65,536 and S=262,144 next to the normal build's.
P=/tmp/cwprobe
meson setup $P -Dcuda=enabled -Dgui=disabled -Dcairo=disabled -Dsqlite=disabled --buildtype=release \
  -Dcuda_args=-DCW_WS_PROBE=1 > /tmp/probe-setup.txt 2>&1 || tail -20 /tmp/probe-setup.txt
ninja -C $P bench/cw-bench-kernels > /tmp/probe-build.txt 2>&1 || tail -30 /tmp/probe-build.txt
for split in 65536 262144; do
  for bin in $B $P; do
    echo "== $bin --split $split"
    timeout 60 $bin/bench/cw-bench-kernels --sizes $split --no-oom --no-ceiling --split $split 2>&1 | grep -E "^split"
  done
done 2>&1 | tee "$OUT/probe.txt"
