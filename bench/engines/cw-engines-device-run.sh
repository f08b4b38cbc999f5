#!/usr/bin/env bash
# One device call for the engine residency receipts' cross-check (no profiler needed).
# Usage (device run, kind nvidia-h200):  bash bench/engines/cw-engines-device-run.sh [STEPS]
#   STEPS (comma list, default dump,trace,uncached):
#     dump      installed torch/transformers versions; the installed DeepSeek-V3.2 modeling files
#     trace     every shape of the plan, caching allocator on, --trace: exact tensor-level peaks
#               replayed from PyTorch's memory history -> $OUT/trace.jsonl, traces in $OUT/traces.tgz
#     uncached  the first and the last (OOM) shape of each engine with PYTORCH_NO_CUDA_MEMORY_CACHING=1
#               (what the profiler measures): exit codes and JSON -> $OUT/uncached.jsonl
#     topk      bench/engines/cw_topk_probe.py -> $OUT/topk.jsonl
#     extra     off-plan shapes that exercise the profiles' other branches (bool/float mask, einsum
#               peak at small sk, single-block topk, cache-slice copies), --trace -> $OUT/extra.jsonl
#     allun     every plan shape with PYTORCH_NO_CUDA_MEMORY_CACHING=1 (exit codes only)
# The profiler's own receipts: for each line L of `python3 bench/engines/cw_engines.py --plan`,
#   PYTORCH_NO_CUDA_MEMORY_CACHING=1 cliffwatch-cli profile --exec --range 'indexer:*' -- \
#       python3 bench/engines/cw_engines.py $L
set -o pipefail
steps=${1:-dump,trace,uncached}
OUT=${OUT:-/tmp/cwout}
mkdir -p "$OUT" /tmp/cwtraces
export PYTHONUNBUFFERED=1
S=bench/engines/cw_engines.py
if [[ $steps == *dump* ]]; then
  python3 - <<'EOF' 2>&1 | tee "$OUT/versions.txt"
import torch, transformers, os, shutil
from transformers.models.deepseek_v32 import modeling_deepseek_v32 as M
print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.get_device_name())
p = torch.cuda.get_device_properties(0)
print("sm", p.multi_processor_count, "regs/sm", p.regs_per_multiprocessor, "total", p.total_memory)
print("transformers", transformers.__version__, M.__file__)
out = os.environ.get("OUT", "/tmp/cwout")
d = os.path.dirname(M.__file__)
for f in ("modeling_deepseek_v32.py", "configuration_deepseek_v32.py"):
    if os.path.exists(os.path.join(d, f)):
        shutil.copy(os.path.join(d, f), os.path.join(out, f))
EOF
fi
if [[ $steps == *trace* ]]; then
  : > "$OUT/trace.jsonl"
  n=0
  python3 $S --plan | while read -r L; do
    n=$((n + 1))
    t0=$(date +%s)
    python3 $S $L --trace /tmp/cwtraces/t$n.json >> "$OUT/trace.jsonl" 2> /tmp/cwtraces/err$n.txt < /dev/null
    rc=$?
    echo "rc=$rc  $(( $(date +%s) - t0 )) s  $L"
    [[ $rc != 0 && $rc != 3 ]] && tail -5 /tmp/cwtraces/err$n.txt
  done
  tar czf "$OUT/traces.tgz" -C /tmp/cwtraces .
fi
if [[ $steps == *uncached* ]]; then
  : > "$OUT/uncached.jsonl"
  for e in transformers megatron v4-reference v32-exp; do
    python3 $S --plan --engine $e | sed -n '1p;$p' | while read -r L; do
      PYTORCH_NO_CUDA_MEMORY_CACHING=1 python3 $S $L >> "$OUT/uncached.jsonl" 2> /tmp/cwtraces/uerr.txt < /dev/null
      rc=$?
      echo "uncached rc=$rc  $L"
      [[ $rc != 0 && $rc != 3 ]] && tail -5 /tmp/cwtraces/uerr.txt
    done
  done
fi
if [[ $steps == *extra* ]]; then
  : > "$OUT/extra.jsonl"
  n=100
  printf '%s\n' \
    "--engine transformers --b 2 --sq 2000 --h 16 --d 64 --top-k 512 --mask float" \
    "--engine megatron --b 2 --sq 4096 --sk 64 --h 16 --d 128" \
    "--engine v4-reference --b 1 --sq 1000 --h 64 --d 128 --top-k 512" \
    "--engine v32-exp --b 2 --sq 2048 --h 32 --d 128 --top-k 512 --max-seq-len 4096" |
  while read -r L; do
    n=$((n + 1))
    python3 $S $L --trace /tmp/cwtraces/t$n.json >> "$OUT/extra.jsonl" 2> /tmp/cwtraces/err$n.txt < /dev/null
    rc=$?; echo "extra rc=$rc  $L"; [[ $rc != 0 ]] && tail -5 /tmp/cwtraces/err$n.txt
  done
  tar czf "$OUT/extra-traces.tgz" -C /tmp/cwtraces $(cd /tmp/cwtraces && ls t1??.json)
fi
if [[ $steps == *allun* ]]; then
  python3 $S --plan | while read -r L; do
    PYTORCH_NO_CUDA_MEMORY_CACHING=1 python3 $S $L > /dev/null 2> /tmp/cwtraces/aerr.txt < /dev/null
    rc=$?; echo "uncached rc=$rc  $L"; [[ $rc != 0 && $rc != 3 ]] && tail -5 /tmp/cwtraces/aerr.txt
  done
fi
if [[ $steps == *topk* ]]; then
  python3 bench/engines/cw_topk_probe.py > "$OUT/topk.jsonl"
  echo "topk probe rc=$? lines=$(wc -l < "$OUT/topk.jsonl")"
fi
