# vLLM DeepSeek sparse-attention indexer, one prefill step (V3.2 layout, fp8
# indexer cache, DeepGEMM on SM90/SM100). Read 2026-12 from vllm-project/vllm:
#  vllm/model_executor/layers/sparse_attn_indexer.py at
#   006475fe481a855ea61dd7aafc3722458fcbbeea (sparse_attn_indexer,
#   _gather_workspace_shapes, RADIX_TOPK_WORKSPACE_SIZE):
#   - the K gather workspace is taken from the shared workspace manager, not
#     sized per request: values [total_seq_lens, head_dim] fp8 + scales
#     [total_seq_lens, 4] uint8 (one fp32 scale per key), where total_seq_lens
#     is the layer's max_total_seq_len; the profiling run (attn_metadata not a
#     dict) reserves it together with the 1 MiB radix top-k workspace, so it is
#     resident from startup. Each chunk gathers into a prefix view of it.
#   - the profiling run also allocates a throw-away uint8 tensor of
#     VLLM_SPARSE_INDEXER_MAX_LOGITS_MB MiB: that is what vLLM's memory
#     profiler sets aside for the logits (the real fp32 logits stay under the
#     same bytes plus DeepGEMM's padding, below).
#   - per chunk: logits = fp8_fp4_mqa_logits(q[token_start:token_end], the
#     gathered K, weights, cu_seqlen_ks, cu_seqlen_ke, clean_logits=False), no
#     max_seqlen_k, so DeepGEMM's padded layout (deepgemm.profile): rows
#     aligned to 128/h, columns align(N + 256, 256) fp32; then
#     top_k_per_row_prefill writes into a slice of topk_indices_buffer in
#     place. The logits die after the chunk's top-k.
#  vllm/v1/attention/backends/mla/indexer.py at
#   0023368d052caf392d159ab32d380a807a89be99:
#   - get_max_prefill_buffer_size = 40 * max_model_len rows (its comment:
#     40 * 163840 * 132 B = 825 MB for V3.2); the builder divides it by the
#     compression ratio for the chunker.
#   - split_indexer_prefill_chunks packs consecutive requests into one chunk
#     while sum(seq_len) <= that and M * N <= MAX_LOGITS_MB * MiB / 4 (M = the
#     chunk's query tokens, N = its keys); a request that alone breaks the
#     budget is cut into query sub-chunks of max(1, elems // N) rows.
#   - build() builds the metadata of every (sub-)chunk before the forward:
#     token_to_seq int32 [chunk's total_seq_lens] (one per sub-chunk, so a
#     request cut into n pieces holds n copies), cu_seqlen_ks/ke int32 [rows],
#     cu_seq_lens int32 [reqs + 1]; they live through the whole step.
#   - the indexer cache row is head_dim fp8 + head_dim/128 * 4 B of scale
#     (132 B at d = 128) in pages of 64 tokens (V3.2 kernel block size; 256
#     for V4), get_supported_kernel_block_sizes.
#  The model (vllm/model_executor/models/deepseek_v2.py, DeepseekV2Model
#  __init__, read at 002d6073) allocates one topk_indices_buffer int32
#  [max_num_batched_tokens, index_topk] shared by every layer.
# Here b requests of sq new tokens each over sk keys (the context including
# them; a ratio compresses sk as vLLM does). With identical requests the
# chunker packs n = min(b, isqrt(elems / (sq*sk)), rows_limit / sk) per chunk;
# the largest logits are [n*sq, n*sk] (one sub-chunk), or, when n = 0,
# [max(1, elems // sk), sk] per request. Example: 32 requests of 256 queries
# over 10,240 keys pack 7 per chunk: 1792 x 71936 fp32 = 515,637,248 B
# (515.6 MB, 491.75 MiB), not one request per chunk.
# Defaults: max_model_len 163840 (V3.2's config), max_num_batched_tokens 8192
# (vllm serve on a >= 70 GiB GPU other than an A100; EngineArgs
# get_batch_defaults, read in public copies, not at a pinned commit),
# VLLM_SPARSE_INDEXER_MAX_LOGITS_MB 512.
# NOT verified: which vllm/utils/deep_gemm.py wraps DeepGEMM at these commits
# (the copies we read pass no max_seqlen_k); that deepseek_v2.py passes
# get_max_prefill_buffer_size(vllm_config) undivided as max_total_seq_len
# (seen for GLM in a copy; for V4 it may be divided by the ratio); how the
# workspace manager packs values + scales + radix (we add them; #55221's
# 5036.40 MB at max_model_len 1e6 equals the sum to the byte); decode (its
# paged logits are deepgemm-paged.profile, with vLLM's max_context_len not
# pinned), DCP/PCP and the MXFP4 cache; nothing here was run on a GPU.
name vllm
description vLLM DSA indexer prefill step: persistent K-gather workspace (40*max_model_len rows), shared int32 top-k buffer, requests packed into logits chunks under VLLM_SPARSE_INDEXER_MAX_LOGITS_MB (DeepGEMM-padded), per-chunk metadata
source https://github.com/vllm-project/vllm/blob/006475fe481a855ea61dd7aafc3722458fcbbeea/vllm/model_executor/layers/sparse_attn_indexer.py (sparse_attn_indexer, _gather_workspace_shapes)
source https://github.com/vllm-project/vllm/blob/0023368d052caf392d159ab32d380a807a89be99/vllm/v1/attention/backends/mla/indexer.py (split_indexer_prefill_chunks, get_max_prefill_buffer_size, build_prefill_chunk_metadata, DeepseekV32IndexerMetadataBuilder.build)
source https://github.com/vllm-project/vllm/blob/002d6073aa034d4f5545d45021b0e56d1f3c3593/vllm/model_executor/models/deepseek_v2.py (DeepseekV2Model.__init__: topk_indices_buffer [max_num_batched_tokens, index_topk] int32, passed to every decoder layer)

param max_model_len = 163840
param max_num_batched_tokens = 8192
param max_logits_mb = 512          # VLLM_SPARSE_INDEXER_MAX_LOGITS_MB
param block_size = 64              # indexer cache page (kernel block size; 256 for V4)
param prefill_buffer_factor = 40   # get_max_prefill_buffer_size = 40 * max_model_len
param quant_block_size = 128       # one fp32 scale per 128 cached values
param block_kv = 256               # DeepGEMM fp8_mqa_logits column padding
param radix_workspace_bytes = 1048576   # RADIX_TOPK_WORKSPACE_SIZE

let elems = max_logits_mb * MiB / 4
let ws_rows = prefill_buffer_factor * max_model_len
let chunk_limit = ws_rows / max(m, 1)
let n_fit = min(b, isqrt(elems / (sq * sk)), chunk_limit / sk)
let n_req = max(n_fit, 1)
let chunk_m = n_req * sq
let chunk_n = n_req * sk
let max_q = max(1, elems / chunk_n)
let rows = min(chunk_m, max_q)
let n_sub = ceil_div(chunk_m, max_q)
let n_chunks = ceil_div(b, n_req)
let logits_rows = align_up(rows, 128 / h)
let logits_cols = align_up(chunk_n + block_kv, 256)
let cache_row = d + d / quant_block_size * 4

phase gather logits topk

buffer q_fp8 = b * sq * h * d live all input
buffer weights = 4 * b * sq * h live all input
buffer k_cache = b * align_up(sk, block_size) * cache_row live all input
buffer k_gather_workspace = ws_rows * (d + 4) live all
buffer radix_topk_workspace = radix_workspace_bytes live all
buffer topk_indices_buffer = 4 * max_num_batched_tokens * k live all
buffer token_to_seq = 4 * b * sk * n_sub live all
buffer cu_seqlen_ks_ke = 8 * b * sq live all
buffer cu_seq_lens = 4 * n_sub * (b + n_chunks) live all
buffer logits = 4 * logits_rows * logits_cols live logits..topk
