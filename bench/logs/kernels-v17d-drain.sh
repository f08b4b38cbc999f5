#!/usr/bin/env bash
# kernels v17d on the device, one call (carry [".debs"]): (1) the split-N
# consumer drained every second tile (CW_WS_DRAIN=2) against every tile
# (the default): SASS order, GPU tests, A/B at S=65,536, 262,144 and 1M;
# (2) the top-k at S=1M, where a chunk has 480 rows (3.6 per SM, under the
# 6 that fit): 512 threads per row (CW_TOPK_THREADS=512) against 256.
#   bash bench/logs/kernels-v17d-drain.sh
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
echo "== $(date -u +%FT%TZ) $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader)"
source tools/device-build.sh > "$OUT/build.txt" 2>&1 || { tail -40 "$OUT/build.txt"; exit 1; }
set +eu   # device-build.sh sets -eu; the steps below report their own failures
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
F='_Z21score_wgmma_ws_kernelILi256ELb0ELi2EEv11ScoreParamsji14CUtensorMap_sti'
cuobjdump --dump-sass -fun "$F" "$BUILD/kernels/libcwkernels.a" > "$OUT/sass-pairs.txt" 2>&1
echo "sass pairs: $(grep -c HGMMA "$OUT/sass-pairs.txt") HGMMA, $(grep -c 'WARPGROUP.DEPBAR' "$OUT/sass-pairs.txt") DEPBAR"
grep -oE 'HGMMA|WARPGROUP\.DEPBAR[^;]*|WARPGROUP\.ARRIVE|FMNMX|SYNCS\.PHASECHK[^ ;]*' "$OUT/sass-pairs.txt" \
  | uniq -c | awk '{printf "%s x%s | ", $2, $1} END {print ""}' | cut -c1-1200
CW_WS_DRAIN=2 timeout 240 "$BUILD/tests/gpu/test-kernels-gpu" > "$OUT/test-drain2.txt" 2>&1
echo "test-kernels-gpu CW_WS_DRAIN=2 rc=$? $(grep -c 'bit-identical' "$OUT/test-drain2.txt") bit-identical, $(grep -c FAIL "$OUT/test-drain2.txt") FAIL"
grep -m3 FAIL "$OUT/test-drain2.txt"
for rep in 1 2 3; do
  for d in 1 2; do
    CW_WS_DRAIN=$d timeout 60 "$BUILD/bench/cw-bench-kernels" --sizes 65536 --no-oom --no-ceiling --split 65536 2>&1 \
      | grep -E "^streaming S=|^split" | sed "s/^/drain=$d rep=$rep: /"
  done
done | tee "$OUT/bench-65536.txt"
for d in 1 2 1 2; do
  CW_WS_DRAIN=$d timeout 120 "$BUILD/bench/cw-bench-kernels" --sizes 262144 --no-oom --no-ceiling --split 262144 2>&1 \
    | grep -E "^split" | sed "s/^/drain=$d: /"
done | tee "$OUT/bench-262144.txt"
for v in "CW_WS_DRAIN=2" "CW_TOPK_THREADS=512" "CW_WS_DRAIN=1"; do
  env $v timeout 120 "$BUILD/bench/cw-bench-kernels" --sizes 1048576 --no-oom --no-ceiling --split 1048576 2>&1 \
    | grep -E "^streaming S=|^split" | sed "s/^/$v: /"
done | tee "$OUT/bench-1m.txt"
rm -f "$OUT/build.txt"
