#!/usr/bin/env bash
# kernels v15g on the device (carry [".debs"]): top-k row scans with four 16-byte
# loads in flight per thread (40 registers, 6 rows per SM kept); plus S=1M.
# GPU tests, then split and full bench at S=65,536 (two reps) and S=262,144.
#   bash bench/logs/kernels-v15g-run.sh
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
bash bench/cw-kernels-device-run.sh build,test > "$OUT/test.txt" 2>&1; tail -12 "$OUT/test.txt"
grep -q "all checks passed" "$OUT/test.txt" || exit 1
B=/tmp/cwbuild; [ -x $B/bench/cw-bench-kernels ] || B=/tmp/cwbuild-k
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
for rep in 1 2 3; do
  $B/bench/cw-bench-kernels --sizes 65536 --no-oom --no-ceiling --split 65536 2>&1 | grep -E "^split|^ *65536" | sed "s/^/rep=$rep: /"
done | tee "$OUT/ab.txt"
$B/bench/cw-bench-kernels --sizes 262144 --no-oom --no-ceiling --split 262144 2>&1 | grep -E "^split|^ *262144" | tee -a "$OUT/ab.txt"
$B/bench/cw-bench-kernels --sizes 1048576 --no-oom --no-ceiling 2>&1 | grep -E "^ *1048576" | tee -a "$OUT/ab.txt"
