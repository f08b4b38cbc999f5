#!/usr/bin/env bash
# kernels v17a on the device, one call (carry [".debs"]): the overlapped
# split-N consumer (CW_WS_SPLIT_N=1: each consumer's half-b epilogue runs
# under its own half-a wgmma and vice versa, FA3's intra-warpgroup overlap)
# against the default m64n256 consumer. SASS of the loop first (does ptxas
# keep the overlap?), GPU tests under each form, then A/B pairs.
#   bash bench/logs/kernels-v17a-overlap.sh
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
echo "== $(date -u +%FT%TZ) $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader)"
source tools/device-build.sh > "$OUT/build.txt" 2>&1 || { tail -40 "$OUT/build.txt"; exit 1; }
set +eu   # device-build.sh sets -eu; the steps below report their own failures
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
F='_Z21score_wgmma_ws_kernelILi256ELb0ELb1EEv11ScoreParamsji14CUtensorMap_sti'
cuobjdump --dump-sass -fun "$F" "$BUILD/kernels/libcwkernels.a" > "$OUT/sass-split.txt" 2>&1
echo "sass split: $(grep -c HGMMA "$OUT/sass-split.txt") HGMMA, $(grep -c 'WARPGROUP.DEPBAR' "$OUT/sass-split.txt") DEPBAR, $(grep -c 'WARPGROUP.ARRIVE' "$OUT/sass-split.txt") ARRIVE, $(grep -c FMNMX "$OUT/sass-split.txt") FMNMX"
# the order of HGMMA / waits / epilogue ops in the kernel, run-length coded
grep -oE 'HGMMA|WARPGROUP\.DEPBAR[^;]*|WARPGROUP\.ARRIVE|FMNMX|SYNCS[^ ;]*|BAR\.[A-Z]*' "$OUT/sass-split.txt" \
  | uniq -c | awk '{printf "%s x%s | ", $2, $1} END {print ""}' | cut -c1-1500
for v in "CW_WS_SPLIT_N=0" "CW_WS_SPLIT_N=1" "CW_WS_SPLIT_N=1 CW_WS_ORDER=0"; do
  tag=$(echo "$v" | tr ' =' '_-')
  env $v timeout 240 "$BUILD/tests/gpu/test-kernels-gpu" > "$OUT/test-$tag.txt" 2>&1
  echo "test-kernels-gpu $v rc=$? $(grep -c 'bit-identical' "$OUT/test-$tag.txt") bit-identical, $(grep -c FAIL "$OUT/test-$tag.txt") FAIL"
  grep -m3 FAIL "$OUT/test-$tag.txt"
done
for rep in 1 2 3; do
  for v in "CW_WS_SPLIT_N=0" "CW_WS_SPLIT_N=1" "CW_WS_SPLIT_N=1 CW_WS_ORDER=0"; do
    env $v timeout 60 "$BUILD/bench/cw-bench-kernels" --sizes 65536 --no-oom --no-ceiling --split 65536 2>&1 \
      | grep -E "^streaming S=|^split" | sed "s/^/$v rep=$rep: /"
  done
done | tee "$OUT/bench-65536.txt"
for v in "CW_WS_SPLIT_N=0" "CW_WS_SPLIT_N=1" "CW_WS_SPLIT_N=0" "CW_WS_SPLIT_N=1"; do
  env $v timeout 120 "$BUILD/bench/cw-bench-kernels" --sizes 262144 --no-oom --no-ceiling --split 262144 2>&1 \
    | grep -E "^streaming S=|^split" | sed "s/^/$v: /"
done | tee "$OUT/bench-262144.txt"
for v in "CW_WS_SPLIT_N=0" "CW_WS_SPLIT_N=1"; do
  env $v timeout 60 "$BUILD/bench/cw-bench-kernels" --fp8 --sizes 65536,262144 --no-oom --no-ceiling 2>&1 \
    | grep -E "^streaming S=" | sed "s/^/fp8 $v: /"
done | tee "$OUT/bench-fp8.txt"
rm -f "$OUT/build.txt"
