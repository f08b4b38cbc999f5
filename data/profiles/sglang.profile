# SGLang DSA (NSA) indexer, ragged prefill (Indexer._get_topk_ragged).
# Chunking rule of the newer dsa_indexer.py, read 2026-12 in public copies of
# python/sglang/srt/layers/attention/dsa/dsa_indexer.py (the stored upstream
# sgl-project/sglang at 614c158168c2321f143bda3757034ea140556444 still has the
# older text, so these lines have no pinned upstream commit):
#  _should_chunk_mqa_logits: q*k < _MQA_LOGITS_STATIC_SKIP_ELEMS (8,000,000)
#   never chunks; otherwise chunk when q*k*4 > logits_budget, where
#  _get_mqa_logits_budget_bytes: logits_budget = max(1, min(free * f, static)),
#   static = max(1, min((1 - mem_fraction_static) * total * f, 0.3 * total)),
#   f = SGLANG_DSA_MQA_LOGITS_FREE_MEM_FRACTION, free = mem_get_info at the
#   first prefill (cached);
#  _get_topk_ragged: rows = min(q, max(1, logits_budget // (k * 4))); logits come
#   from deep_gemm.fp8_mqa_logits (padded: deepgemm.profile); topk_result is
#   int32 [tokens, index_topk]; K is gathered from the paged pool (64-token
#   pages) as fp8 [k, d] + fp32 scale.
# The older nsa_indexer.py (005e8bf8abf447d93cd14427efbf0b10bf42a326,
# Indexer._should_chunk_mqa_logits) chunked when 2 * logits > free or logits >
# 0.3 * total, with rows from free / 2; that rule (and its second top-k buffer
# and doubly held K) is sglang-nsa.profile.
# Total and free memory are params (gpu_total_bytes, gpu_free_bytes), not tied
# to --gpu; fractions are in thousandths (formulas are integer).
# Batches are ragged: q = b*sq, k = b*sk. NOT verified: f's default (0.2),
# SGLang's per-GPU mem_fraction_static default, _pad_heads_for_deep_gemm
# (h < 64 pads q and weights), whether the newer path still holds K twice
# and keeps a second top-k buffer as the older one does (sglang-nsa.profile);
# nothing here was run on a GPU.
name sglang
description SGLang DSA indexer prefill: fp32 logits chunked to min(f*free, f*(1-mem_fraction_static)*total, 0.3*total) above 8M elements (DeepGEMM-padded), K gather, int32 top-k result
source https://github.com/sgl-project/sglang/blob/614c158168c2321f143bda3757034ea140556444/python/sglang/srt/layers/attention/dsa/dsa_indexer.py (file; budget rule from newer public copies: Indexer._get_mqa_logits_budget_bytes, _should_chunk_mqa_logits, _get_topk_ragged)
source https://github.com/sgl-project/sglang/blob/005e8bf8abf447d93cd14427efbf0b10bf42a326/python/sglang/srt/layers/attention/nsa/nsa_indexer.py (older rule: sglang-nsa.profile)

param gpu_total_bytes = 85520809984      # torch total_memory; default: the h100-80gb preset
param gpu_free_bytes = 0                 # free at the first prefill; 0: (1 - mem_fraction_static) * total
param mem_fraction_static_permille = 900 # --mem-fraction-static (not verified: SGLang picks it per GPU)
param free_mem_fraction_permille = 200   # SGLANG_DSA_MQA_LOGITS_FREE_MEM_FRACTION
param total_mem_fraction_permille = 300  # _MQA_LOGITS_TOTAL_MEM_FRACTION
param static_skip_elems = 8000000        # _MQA_LOGITS_STATIC_SKIP_ELEMS
param block_kv = 256

let q_rows = b * sq
let k_cols = b * sk
let static_free = gpu_total_bytes / 1000 * (1000 - mem_fraction_static_permille)
let free_now = select(gpu_free_bytes, gpu_free_bytes, static_free)
let total_cap = gpu_total_bytes / 1000 * total_mem_fraction_permille
let static_budget = max(1, min(static_free / 1000 * free_mem_fraction_permille, total_cap))
let logits_budget = max(1, min(free_now / 1000 * free_mem_fraction_permille, static_budget))
let need_chunk = select(lt(q_rows * k_cols, static_skip_elems), 0, lt(logits_budget, q_rows * k_cols * 4))
let rows = select(need_chunk, min(q_rows, max(1, logits_budget / (k_cols * 4))), q_rows)
let logits_rows = align_up(rows, 128 / h)
let logits_cols = align_up(k_cols + block_kv, 256)

phase gather logits topk

buffer q_fp8 = b * sq * h * d live all input
buffer weights = 4 * b * sq * h live all input
buffer k_gather = k_cols * (d + 4) live all
buffer logits = 4 * logits_rows * logits_cols live logits..topk
buffer topk_result = 4 * b * sq * k live all
