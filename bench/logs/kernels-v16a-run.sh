#!/usr/bin/env bash
# kernels v16a on the device, one call (carry [".debs"]): linked chunks
# (programmatic dependent launch + per-row mailboxes, kernels/cw-chunk-link.cuh).
# Build, SASS of the acquire loads, the kernel GPU tests, then bf16 S=65,536
# linked vs CW_STREAM_LINK=0 (3 reps each, alternating), S=262,144 and 1M once each way.
#   bash bench/logs/kernels-v16a-run.sh
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
echo "== $(date -u +%FT%TZ) $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader)"
source tools/device-build.sh > "$OUT/build.txt" 2>&1 || { tail -40 "$OUT/build.txt"; exit 1; }
set +eu   # device-build.sh sets -eu; the steps below report their own failures
grep -iE "warning|spill" "$OUT/build.txt" | grep -v " 0 bytes spill" | head -5
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
cuobjdump --dump-sass "$BUILD/kernels/libcwkernels.a" > "$OUT/sass.txt" 2>&1
echo "sass: $(grep -c 'LDG.E.STRONG.GPU' "$OUT/sass.txt") strong.gpu loads, $(grep -c 'CCTL.IVALL' "$OUT/sass.txt") CCTL.IVALL, $(grep -c 'ACQBULK\|griddepcontrol\|PREEXIT' "$OUT/sass.txt") gdc"
gzip -f "$OUT/sass.txt"
timeout 240 "$BUILD/tests/gpu/test-kernels-gpu" > "$OUT/test.txt" 2>&1; echo "test-kernels-gpu rc=$?"
grep -E "FAIL|linked|legacy|replay|passed" "$OUT/test.txt" | sort | uniq -c | head -20
for rep in 1 2 3; do
  for link in 1 0; do
    CW_STREAM_LINK=$link timeout 60 "$BUILD/bench/cw-bench-kernels" --sizes 65536 --no-oom --no-ceiling 2>&1 \
      | grep -E "^streaming S=|^split" | sed "s/^/link=$link rep=$rep: /"
  done
done | tee "$OUT/bench-65536.txt"
for link in 1 0; do
  CW_STREAM_LINK=$link timeout 100 "$BUILD/bench/cw-bench-kernels" --sizes 262144,1048576 --no-oom --no-ceiling 2>&1 \
    | grep -E "^streaming S=" | sed "s/^/link=$link: /"
done | tee "$OUT/bench-large.txt"
rm -f "$OUT/build.txt"
