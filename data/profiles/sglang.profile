# SGLang NSA/DSA indexer, ragged prefill (Indexer._get_topk_ragged), read
# 2026-11-23 from python/sglang/srt/layers/attention/nsa/nsa_indexer.py:
#  upstream sgl-project/sglang at 005e8bf8abf447d93cd14427efbf0b10bf42a326:
#   logits are fp32 over q_offset query tokens x k_offset gathered keys;
#   below 8,000,000 elements never chunk; chunk when logits * 2 > free memory
#   or logits > 0.3 * total; then max_rows = min(max(1, (free * 0.5) //
#   (k_offset * 4)), q_offset). Effectively rows = min(q, budget // row bytes)
#   with budget = half the free memory at run time.
#  newer snapshots (seen in public forks of the same file) use budget =
#   min(free * SGLANG_DSA_MQA_LOGITS_FREE_MEM_FRACTION, 0.3 * total), or
#   SGLANG_NSA_MQA_LOGITS_MEMORY_BUDGET_GB when set; same row formula.
# Free memory is only known at run time, so the budget is a param. Its default
# is the 0.3 * total cap of an H100 80 GB (0.3 * 85,520,809,984 B): set yours
# with --param logits_budget_bytes=N.
# Logits come from deep_gemm.fp8_mqa_logits: padded (deepgemm.profile). K is
# gathered per request and concatenated: fp8 [k_offset, d] + fp32 scale.
# topk_result is int32 [tokens, index_topk]. Batches are ragged:
# q_offset = b*sq, k_offset = b*sk. Not verified on a GPU by us.
name sglang
description SGLang NSA indexer prefill: fp32 logits chunked to a memory budget (DeepGEMM-padded), K gather, int32 top-k result
source https://github.com/sgl-project/sglang/blob/005e8bf8abf447d93cd14427efbf0b10bf42a326/python/sglang/srt/layers/attention/nsa/nsa_indexer.py (Indexer._should_chunk_mqa_logits, _get_topk_ragged)

param logits_budget_bytes = 25656242995
param block_kv = 256

let q_rows = b * sq
let k_cols = b * sk
let rows = min(q_rows, max(1, logits_budget_bytes / (k_cols * 4)))
let logits_rows = align_up(rows, 128 / h)
let logits_cols = align_up(k_cols + block_kv, 256)

phase gather logits topk

buffer q_fp8 = nbytes(b * sq * h * d, bits_q) live all input
buffer weights = nbytes(b * sq * h, bits_w) live all input
buffer k_gather = k_cols * (nbytes(d, bits_k) + 4) live all
buffer logits = 4 * logits_rows * logits_cols live logits..topk
buffer topk_result = 4 * b * sq * k live all
