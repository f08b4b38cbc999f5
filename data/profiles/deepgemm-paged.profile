# DeepGEMM fp8_fp4_paged_mqa_logits, the paged indexer logits (decode, MTP
# verify, and SGLang's DeepSeek-V4 prefill through the paged path), one call.
# Read from deepseek-ai/DeepGEMM csrc/apis/attention.hpp at commit
# 0274ad7b911b99b4eb6f8d796403811cf1e18f3d (fp8_fp4_paged_mqa_logits, its
# legacy wrapper fp8_paged_mqa_logits with logits_dtype fp32, and
# get_paged_mqa_logits_metadata):
#   q [batch_size, next_n, h, d] fp8 (packed fp4 [.., d/2] + int32 scale
#     [batch_size, next_n, h]); weights [batch_size * next_n, h] fp32
#   fused_kv_cache uint8 [num_blocks, block_kv, 1, d + 4] (fp4: d/2 + 4):
#     values then one 4-byte scale per token, pages of 64 (V3.2) tokens
#   context_lens int32 [batch_size, next_n], block_table int32 [batch_size,
#   max_blocks], schedule_meta int32 [num_sms + 1, 2]
#   split_kv = 256 on SM90/SM100 (128 on SM120); the row stride is 1024-byte
#   aligned (256 fp32 elements), so
#     logits = empty({batch_size * next_n,
#                     align(align(max_context_len, split_kv), 256)})
#   No +256 here (unlike fp8_fp4_mqa_logits with max_seqlen_k == 0), and no
#   row padding: the rows are exactly batch_size * next_n.
# max_context_len is the caller's: SGLang's nsa_indexer passes the page-table
# width * 64 (sglang-nsa.profile), vLLM's decode path its max_model_len in the
# copies we read (not pinned), so the columns need not follow the batch's own
# context. Param max_context_len (0: sk).
# Here b*sq rows: decode has sq = next_n (1 + speculative tokens) per request;
# SGLang's V4 prefill through the paged kernel passes every query token as a
# row (b = 1, sq = the chunk's tokens), with sk the (compressed) context.
# NOT verified: vLLM's and TensorRT-LLM's max_context_len at a pinned commit;
# TensorRT-LLM's CuteDSL kernel (its own [B*next_n, aligned_max_ctx] buffer,
# PR #16307) is not this code. Nothing here was run on a GPU.
name deepgemm-paged
description DeepGEMM fp8_fp4_paged_mqa_logits (decode/paged): fp32 logits [b*sq (= batch*next_n), align(align(max_context_len, 256), 256)], fused fp8 KV pages (d + 4 B per token)
source https://github.com/deepseek-ai/DeepGEMM/blob/0274ad7b911b99b4eb6f8d796403811cf1e18f3d/csrc/apis/attention.hpp (fp8_fp4_paged_mqa_logits, fp8_paged_mqa_logits, get_paged_mqa_logits_metadata)

param fp4 = 0               # 1: packed fp4 q and cache (d/2 B per token) with int32 scales
param max_context_len = 0   # the max_context_len argument; 0: sk
param split_kv = 256        # 128 on SM120
param logits_bits = 32      # 32 (fp32, the legacy wrapper) or 16 (bf16)
param page = 64             # fused cache block_kv (64 for V3.2 in SGLang/vLLM; 32/64/128 allowed)
param num_sms = 132         # schedule_meta rows - 1 (H100/H200 SXM)

let rows = b * sq
let ctx = select(max_context_len, max_context_len, sk)
let col_align = 1024 * 8 / logits_bits
let cols = align_up(align_up(ctx, split_kv), col_align)
let row_bytes = select(fp4, d / 2, d)
let pages = ceil_div(sk, page)

phase logits

buffer q = rows * h * row_bytes live all input
buffer q_scale = select(fp4, 4 * rows * h, 0) live all input
buffer weights = 4 * rows * h live all input
buffer kv_cache = b * pages * page * (row_bytes + 4) live all input
buffer context_lens = 4 * rows live all input
buffer block_table = 4 * b * pages live all input
buffer schedule_meta = 4 * 2 * (num_sms + 1) live all input
buffer logits = nbytes(rows * cols, logits_bits) live all
