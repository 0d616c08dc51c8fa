// The kernels a GPU runs for one transformer block (and for the embedding and output head) per
// micro-batch of b sequences of s tokens, T = b*s, h = hidden, f = ffn_hidden, a = heads,
// d = h/a, e = bytes per activation element (the model's precision), as the frameworks of the
// MiCS era run them (Megatron-LM's GPT layer, pre-norm; DeepSpeed runs the same model code):
//   forward   ln1 | QKV GEMM T x 3h x h (+bias) | attention | output GEMM T x h x h |
//             bias+dropout+residual | ln2 | MLP up T x f x h (and gate, when gated) |
//             bias+GeLU (SiLU x up, gated) | MLP down T x h x f | bias+dropout+residual
//   attention unfused: scores, (b*a) batched s x s x d | scale+mask+softmax | dropout |
//             context, (b*a) batched s x d x s; the s x s scores and probabilities go through HBM
//   attention fused (flash-style): one kernel per layer and pass, Q, K, V in and O out, no s x s
//             traffic; FLOPs as the two products (the backward's recomputation of the scores is
//             not charged: FLOP accounting stays that of flops.hpp)
//   element-wise unfused (eager PyTorch, as Hugging Face's BERT/RoBERTa run it, 2021): three
//             Q, K, V GEMMs T x h x h and every bias, GeLU, dropout, residual add, scale and mask
//             its own kernel: F.linear on a 3-D input is matmul then `output += bias`; the
//             attention's torch.matmul reshapes the permuted Q, K^T and V into copies, and the
//             context's permute().contiguous() is one more; one pass over HBM each
//   backward  per GEMM Y = X W a dgrad (dX = dY W^T) and a wgrad (dW = X^T dY) of the same FLOPs;
//             per memory-bound kernel its backward (reads the saved input and the incoming
//             gradient, writes the outgoing one)
//   recompute the forward kernels again (activation checkpointing)
// Memory-bound kernels are their HBM bytes (each operand read or written once; a dropout mask is
// one byte per element). GEMM bytes are each operand once (the roofline's lower bound; L2 reuse
// covers the rest). FLOPs: every GEMM 2*m*n*k per batch; the bias and layernorm kernels carry
// 2 FLOPs per parameter per token forward and twice that backward, which is how flops.hpp counts
// those parameters, so the kernels of a pass sum exactly to layer_flops / output_head_flops.
#pragma once

#include "sim/model/transformer.hpp"
#include "sim/schedule/schedule.hpp"

#include <optional>
#include <string_view>
#include <vector>

namespace shardsim {

enum class AttentionKernel { unfused, fused };
const char* to_string(AttentionKernel attention);
std::optional<AttentionKernel> attention_kernel_named(std::string_view name);  // "fused" | "unfused"

// Whether the element-wise work around the GEMMs runs in the fused kernels of Megatron-LM (bias in
// the GEMM or with GeLU, bias+dropout+residual, scale+mask+softmax) or op by op in eager PyTorch.
enum class ElementwiseKernels { fused, unfused };
const char* to_string(ElementwiseKernels elementwise);
std::optional<ElementwiseKernels> elementwise_kernels_named(std::string_view name);  // "fused" | "unfused"

// The software stack's kernels, as one choice: a scenario, a plan and a scaling sweep carry it.
struct KernelChoice {
  // Unfused (scores and probabilities through HBM, as DeepSpeed and Megatron-LM ran it in 2021-22)
  // or fused (FlashAttention, 2022; PyTorch 2's SDPA).
  AttentionKernel attention = AttentionKernel::unfused;
  // Fused as Megatron-LM runs them, or op by op as eager PyTorch does (Hugging Face's models, e.g.
  // DeepSpeed PR #1453's RoBERTa, "not using any custom fused kernels").
  ElementwiseKernels elementwise = ElementwiseKernels::fused;
};

struct PassKernels {
  std::vector<Kernel> forward;
  std::vector<Kernel> backward;
  std::vector<Kernel> recompute;  // empty without activation checkpointing (and for the head)
};

PassKernels block_kernels(const TransformerModel& model, int micro_batch, bool activation_checkpointing, KernelChoice kernels);
// The embedding lookup, the final norm, the output head GEMM and the loss (softmax cross-entropy
// over the vocabulary). FLOPs sum to output_head_flops (the lookup, norm and loss are charged
// none, as flops.hpp counts none for them).
PassKernels head_kernels(const TransformerModel& model, int micro_batch);

double kernel_flops(const std::vector<Kernel>& kernels);  // sum of count x flops
double gemm_shape_flops(const Kernel& kernel);            // 2*m*n*k*batch of a GEMM, a fused attention's products, else 0

}  // namespace shardsim
