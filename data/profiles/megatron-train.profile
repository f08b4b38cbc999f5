# Megatron-Core's DSA indexer in training, with its loss, on the reference path (dsa_kernel_backend
# "none", the default): DSAttention.forward calls FusedDSAIndexerLoss.apply (a torch.autograd.Function,
# dsa.py), whose forward runs fwd_fused_indexer_loss_naive without grad and whose backward runs
# bwd_fused_indexer_loss_naive. The loss, compute_dsa_indexer_loss (dsa.py) with
# dsa_indexer_loss.indexer_loss_from_target, is the KL divergence from the main attention's
# distribution (softmax of query.key * softmax_scale per attention head, summed over heads and
# L1-normalised) to the indexer's (log-softmax of the index scores): DeepSeek-V3.2's warm-up objective
# over every legal key (dsa_indexer_use_sparse_loss False, the default), or over the kept keys
# (param sparse_loss = 1).
#
# What it keeps for the backward: ctx.save_for_backward(q, weights, k, query, key, topk_indices):
# its inputs (the indexer's q [sq,b,h,d], weights [sq,b,h], k [sk,b,d]; the main attention's query
# [sq,b,np,hn] and key [sk,b,np,hn], detached) and the int64 top-k indices. Nothing of [sq, sk] is
# saved: the backward recomputes the index scores, the attention scores and both softmaxes
# ("Backward: Recompute what we need"). Save-vs-recompute is fixed in this code (no param).
#
# Sizes: A = the attention's fp32 [b, np, sq, sk], Ab its bool mask; S = the indexer's fp32 slab
# [sq, b, h, sk], Sb bool; M = fp32 [b, sq, sk], Mb bool; V = bool [sq, sk] (the causal validity of
# the varlen path: plain causal attention, no packing, no context parallelism, TP 1: build_
# dsattention_forward_mask returns starts/ends, no float mask). np, hn: params attn_heads,
# attn_head_dim (the query and key handed to the loss; 128 heads and 192 = 128 + 64 rope for
# DeepSeek-V3.2 without MLA absorption: the key is then [sk, b, np, hn] and both permute to views;
# an absorbed MLA key [sk, b, 1, hn] is expanded and copied by the reshape: not modelled).
# Forward, statement by statement (each rebinding frees the tensor it held unless a caller holds it):
#   _compute_index_scores: megatron.profile's phases (q/k fp32 copies, slabs S, head sum M)
#   f_mask: apply_starts_ends_mask_to_scores: valid V (two comparisons and their &), ~valid V,
#           masked_fill -> a new M
#   f_topk: topk values fp32 + int64 indices [b,sq,K] (workspace not modelled), then
#           masked_fill(values == -inf, -1): a bool and a new int64 [b,sq,K]
#   compute_dsa_indexer_loss (its caller keeps the masked index scores M alive throughout):
#   f_bmm: query.float() [b*np,sq,hn], key.float() [b*np,hn,sk] (fp32 copies of views), bmm -> A
#   f_scale: * softmax_scale -> a second A; the first dies after the statement
#   f_amask: masked_fill of the attention scores -> a new A (+ V, ~V); index scores -> a new M
#   f_imask: index_mask M = full(-inf), top-k scattered in 256-row chunks (chunk temporaries not
#           modelled); sparse_loss: both += index_mask in place, index_valid_mask = base & (index_mask
#           == 0): two Mb at once, one kept
#   f_sm_exp, f_softmax: masked_softmax (dsa_masking.py): ~valid of the mask expanded to
#           [b,np,sq,sk] -> Ab, masked_logits A; exp(masked_logits - row_max): the difference A and
#           its exp A (the input, masked_logits, the difference, exp = 4 A); then masked_fill
#           (Ab + A), the division (A), the last masked_fill (Ab + A): the input, masked_logits,
#           probs, ~valid and the output = 4 A + Ab (the forward's peak)
#   f_logsoftmax: masked_log_softmax of the index scores: masked_logits, where(.., zeros_like) M,
#           log_softmax M, masked_fill with ~valid Mb: 4 M + Mb at the last statement, with A alive
#   f_sum: the attention probabilities summed over heads -> M; A dies at the rebinding
#   f_kl: normalize (M), the KL terms (clamp M, log M, difference M, product M: two at a time)
# Backward (bwd_fused_indexer_loss_naive), statement by statement, del as written there:
#   b_* _compute_index_scores again (megatron.profile's phases), then the same attention bmm,
#   scale, masks, index_mask, softmax of the attention scores (4 A + Ab, the backward's peak), the
#   index scores' masked_softmax (4 M + Mb), the head sum, normalize, (softmax - target) * grad
#   (M), valid_mask.float() (an expanded V -> M), the product (M); then the indexer's part:
#   einsum again (fp32 q/k copies, S), relu (S) and relu_mask = scores > 0 (Sb), scores deleted,
#   grad_weights = (grad * relu).sum(-1) (an S product), grad_scores = grad * weights (S),
#   grad_scores * relu_mask.float() (S + S), grad_q = einsum(grad_scores, k.float()) and grad_k =
#   einsum(grad_scores, q.float()) (for b > 1 each einsum copies grad_scores to merge s and h, and the
#   second copies q.float() too: layout, NOT verified), casts to the inputs' bf16.
# Not modelled: [b,sq,K]-sized temporaries of the loss (the scatter's chunks), [.., 1]-sized
# reductions, the int64 key positions (8*sk B), torch.topk's workspace, cuBLAS workspaces.
# Not measured: no harness runs this code yet (bench/engines/cw_engines.py measures autograd through
# _compute_index_scores, megatron-autograd.profile). Not verified beyond reading the code at the
# commit below: the allocation of each PyTorch op (TensorIterator outputs of expanded inputs taken as
# full-size, as for ~valid_mask and valid_mask.float()).
name megatron-train
description Megatron-Core DSA indexer training step with its KL loss (FusedDSAIndexerLoss): saves inputs + int64 top-k; forward and backward each hold 4 fp32 [b,np,sq,sk] attention-probability tensors in masked_softmax
source https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/core/transformer/experimental_attention_variant/dsa.py (FusedDSAIndexerLoss, fwd_fused_indexer_loss_naive, bwd_fused_indexer_loss_naive, compute_dsa_indexer_loss, fused_qk_topk_naive, _compute_index_scores)
source same commit: dsa_masking.py (masked_softmax, masked_log_softmax, apply_starts_ends_mask_to_scores, build_valid_mask_from_starts_ends, build_dsattention_forward_mask), dsa_indexer_loss.py (normalize_indexer_target, indexer_loss_from_target), transformer_config.py (dsa_indexer_use_sparse_loss = False, dsa_kernel_backend = "none")
# the main attention's heads on this rank and its query/key head dim
param attn_heads = 128
param attn_head_dim = 192
param sparse_loss = 0

let tok = b * sq
let S = tok * h * sk * 4
let Sb = tok * h * sk
let A = b * attn_heads * sq * sk * 4
let Ab = b * attn_heads * sq * sk
let M = tok * sk * 4
let Mb = tok * sk
let V = sq * sk
let ke = min(k, sk)
let sp = min(sparse_loss, 1)
let qf = tok * h * d * 4
let kf = b * sk * d * 4
let bn = min(1, b - 1)
let Qa = b * attn_heads * sq * attn_head_dim * 4
let Ka = b * attn_heads * sk * attn_head_dim * 4

phase q_float k_float einsum_q_copy einsum relu weight head_sum f_mask f_topk f_topk_fill f_bmm f_scale f_amask f_imask f_valid f_sm_exp f_softmax f_logsoftmax f_sum f_kl
backward b_q_float b_k_float b_einsum_q_copy b_einsum b_relu b_weight b_head_sum b_bmm b_scale b_amask b_imask b_sparse b_valid b_sm_exp b_softmax b_isoftmax b_sum b_normalize b_grad_logits b_valid_float b_scores b_relu_mask b_grad_w b_grad_scores b_grad_relu b_grad_q b_grad_k b_cast

buffer q = tok * h * d * 2 live all input
buffer weights = tok * h * 2 live all input
buffer k = b * sk * d * 2 live all input
buffer query = tok * attn_heads * attn_head_dim * 2 live all input
buffer key = b * sk * attn_heads * attn_head_dim * 2 live all input

# ---- forward: _compute_index_scores (megatron.profile) ----
buffer q_f32 = qf live q_float..einsum
buffer k_f32 = kf live k_float..einsum
buffer q_reshape_copy = bn * qf live einsum_q_copy..einsum
buffer slab_einsum = S live einsum..relu
buffer slab_relu = S live relu..weight
buffer slab_weighted = S live weight..head_sum
buffer index_scores = M live head_sum..f_mask
buffer valid = V live f_mask
buffer not_valid = V live f_mask
buffer index_scores_masked = M live f_mask..f_kl
buffer topk_values = tok * ke * 4 live f_topk..f_topk_fill
buffer topk_raw = tok * ke * 8 live f_topk..f_topk_fill
buffer topk_inf = tok * ke live f_topk_fill
buffer topk_indices = tok * ke * 8 live f_topk_fill..b_cast
# ---- forward: compute_dsa_indexer_loss ----
buffer query_f32 = Qa live f_bmm
buffer key_f32 = Ka live f_bmm
buffer attn_bmm = A live f_bmm..f_scale
buffer attn_scaled = A live f_scale..f_amask
buffer loss_valid = V live f_amask..f_kl
buffer loss_not_valid = V live f_amask
buffer attn_masked = A live f_amask..f_softmax
buffer index_loss_masked = M live f_amask..f_kl
buffer index_mask = M live f_imask..f_kl
buffer index_mask_zero = sp * Mb live f_valid
buffer index_valid_mask = sp * Mb live f_valid..f_kl
buffer sm_masked_logits = A live f_sm_exp..f_softmax
buffer sm_difference = A live f_sm_exp
buffer sm_probs = A live f_sm_exp..f_softmax
buffer sm_not_valid = Ab live f_softmax
buffer attn_probs = A live f_softmax..f_sum
buffer lsm_masked_logits = M live f_logsoftmax
buffer lsm_where = M live f_logsoftmax
buffer lsm_log_softmax = M live f_logsoftmax
buffer lsm_not_valid = Mb live f_logsoftmax
buffer index_log_probs = M live f_logsoftmax..f_kl
buffer attn_sum = M live f_sum..f_kl
buffer target = M live f_kl
buffer kl_terms = 2 * M live f_kl

# ---- backward: recompute the index scores ----
buffer b_q_f32 = qf live b_q_float..b_einsum
buffer b_k_f32 = kf live b_k_float..b_einsum
buffer b_q_reshape_copy = bn * qf live b_einsum_q_copy..b_einsum
buffer b_slab_einsum = S live b_einsum..b_relu
buffer b_slab_relu = S live b_relu..b_weight
buffer b_slab_weighted = S live b_weight..b_head_sum
buffer b_index_scores = M live b_head_sum..b_amask
# ---- backward: the loss again ----
buffer b_query_f32 = Qa live b_bmm
buffer b_key_f32 = Ka live b_bmm
buffer b_attn_bmm = A live b_bmm..b_scale
buffer b_attn_scaled = A live b_scale..b_amask
buffer b_valid = V live b_amask..b_valid_float
buffer b_not_valid = V live b_amask
buffer b_attn_masked = A live b_amask..b_sparse
buffer b_index_masked = M live b_amask..b_sparse
buffer b_index_mask = M live b_imask..b_grad_logits
buffer b_attn_sparse = sp * A live b_sparse..b_softmax
buffer b_attn_dense = (1 - sp) * A live b_valid..b_softmax
buffer b_index_sparse = sp * M live b_sparse..b_isoftmax
buffer b_index_dense = (1 - sp) * M live b_valid..b_isoftmax
buffer b_index_valid_mask = sp * Mb live b_valid..b_valid_float
buffer b_index_mask_zero = sp * Mb live b_valid
buffer b_sm_masked_logits = A live b_sm_exp..b_softmax
buffer b_sm_difference = A live b_sm_exp
buffer b_sm_probs = A live b_sm_exp..b_softmax
buffer b_sm_not_valid = Ab live b_softmax
buffer b_attn_probs = A live b_softmax..b_sum
buffer b_ism_not_valid = Mb live b_isoftmax
buffer b_ism_work = 3 * M live b_isoftmax
buffer b_index_probs = M live b_isoftmax..b_grad_logits
buffer b_attn_sum = M live b_sum..b_normalize
buffer b_target = M live b_normalize..b_grad_logits
buffer b_grad_difference = M live b_grad_logits
buffer b_grad_logits = M live b_grad_logits..b_valid_float
buffer b_valid_mask_float = M live b_valid_float
buffer b_grad_masked = M live b_valid_float..b_grad_scores
# ---- backward: the indexer's gradients ----
buffer b2_q_f32 = qf live b_scores
buffer b2_k_f32 = kf live b_scores
buffer b2_q_reshape_copy = bn * qf live b_scores
buffer b2_scores = S live b_scores..b_relu_mask
buffer b2_relu = S live b_relu_mask..b_grad_scores
buffer b2_relu_mask = Sb live b_relu_mask..b_grad_relu
buffer b2_weights_product = S live b_grad_w
buffer grad_weights_f32 = tok * h * 4 live b_grad_w..b_cast
buffer b2_grad_scores = S live b_grad_scores..b_grad_relu
buffer b2_relu_mask_float = S live b_grad_relu
buffer b2_grad_scores_relu = S live b_grad_relu..b_grad_k
buffer b2_k_f32_q = kf live b_grad_q
buffer b2_grad_copy_q = bn * S live b_grad_q
buffer grad_q_f32 = qf live b_grad_q..b_cast
buffer b2_q_f32_k = qf live b_grad_k
buffer b2_q_copy_k = bn * qf live b_grad_k
buffer b2_grad_copy_k = bn * S live b_grad_k
buffer grad_k_f32 = kf live b_grad_k..b_cast
buffer dq = tok * h * d * 2 live b_cast
buffer dw = tok * h * 2 live b_cast
buffer dk = b * sk * d * 2 live b_cast
