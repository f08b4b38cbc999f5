# vLLM sparse attention indexer, prefill path. Sources read 2026-11-23:
#  vllm/v1/attention/backends/mla/indexer.py split_indexer_prefill_chunks
#   (commit 0023368d052caf392d159ab32d380a807a89be99):
#     max_logits_elems = max_logits_bytes // 4
#     max_q = max(1, max_logits_elems // chunk_n); sub-chunks of min(max_q, chunk_m) rows
#   with max_logits_bytes = VLLM_SPARSE_INDEXER_MAX_LOGITS_MB * 1024 * 1024 (default 512).
#  vllm/model_executor/layers/sparse_attn_indexer.py sparse_attn_indexer
#   (commit 006475fe481a855ea61dd7aafc3722458fcbbeea): per chunk, the fp8 K
#   cache is gathered into a workspace of total_seq_lens x (head_dim fp8 + 4 B
#   fp32 scale), logits come from DeepGEMM fp8_fp4_mqa_logits (padded: see
#   deepgemm.profile; we assume vllm.utils.deep_gemm passes max_seqlen_k = 0,
#   which we did not check), top_k_per_row_prefill writes the int32
#   topk_indices_buffer [tokens, topk] in place (no top-k workspace on prefill;
#   the 1 MiB radix workspace is decode-only).
# Modelled: one request per chunk (exact for b = 1). With b > 1 vLLM may pack
# several short requests into one chunk whose logits stay under the budget;
# this profile then plans them one at a time. The K workspace is sized here by
# this request's sk; vLLM sizes it by the scheduler's max total_seq_lens, which
# can be larger. Not verified on a GPU by us.
name vllm
description vLLM prefill indexer: logits chunked to VLLM_SPARSE_INDEXER_MAX_LOGITS_MB (DeepGEMM-padded), K gather workspace, int32 top-k buffer
source https://github.com/vllm-project/vllm/blob/0023368d052caf392d159ab32d380a807a89be99/vllm/v1/attention/backends/mla/indexer.py (split_indexer_prefill_chunks)
source https://github.com/vllm-project/vllm/blob/006475fe481a855ea61dd7aafc3722458fcbbeea/vllm/model_executor/layers/sparse_attn_indexer.py (sparse_attn_indexer)

param max_logits_mb = 512
param block_kv = 256

let max_logits_elems = max_logits_mb * MiB / 4
let rows = min(sq, max(1, max_logits_elems / sk))
let logits_rows = align_up(rows, 128 / h)
let logits_cols = align_up(sk + block_kv, 256)

phase gather logits topk

buffer q_fp8 = nbytes(b * sq * h * d, bits_q) live all input
buffer weights = nbytes(b * sq * h, bits_w) live all input
buffer k_cache = b * sk * (nbytes(d, bits_k) + 4) live all input
buffer k_gather = sk * (nbytes(d, bits_k) + 4) live all
buffer logits = 4 * logits_rows * logits_cols live logits..topk
buffer topk_indices = 4 * b * sq * k live all
