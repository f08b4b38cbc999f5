#!/usr/bin/env bash
# kernels v15e on the device (carry [".debs"]): top-k samples sorted by one warp in
# registers; candidates collected raw and converted after (v15d profile).
# GPU tests, then split and full bench at S=65,536 (two reps) and S=262,144.
#   bash bench/logs/kernels-v15e-run.sh
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
