#include "sim/compute/block_kernels.hpp"

#include "sim/input/input_error.hpp"

#include <fmt/format.h>

namespace shardsim {
namespace {

// Integers below 2^53 throughout, so every sum here is exact (tested against flops.hpp).
Kernel gemm(std::string name, double m, double n, double k, double batch, double e, double epilogue_flops = 0) {
  Kernel g;
  g.kind = KernelKind::gemm;
  g.name = std::move(name);
  g.m = m;
  g.n = n;
  g.k = k;
  g.batch = batch;
  g.flops = 2.0 * m * n * k * batch + epilogue_flops;
  g.hbm_bytes = batch * (m * k + k * n + m * n) * e;
  return g;
}

Kernel memory(std::string name, double bytes, double flops = 0) {
  Kernel k;
  k.kind = KernelKind::memory;
  k.name = std::move(name);
  k.flops = flops;
  k.hbm_bytes = bytes;
  return k;
}

// One flash-style attention kernel over `heads` s x s x d products: `flops` and `bytes` in total.
Kernel fused_attention(std::string name, double s, double d, double heads, double flops, double bytes) {
  Kernel k;
  k.kind = KernelKind::fused_attention;
  k.name = std::move(name);
  k.m = s, k.n = d, k.k = s, k.batch = heads;
  k.flops = flops;
  k.hbm_bytes = bytes;
  return k;
}

// A linear layer Y = X W with X T x in, W in x out: forward, then its dgrad and wgrad.
struct Linear {
  std::string name;
  double tokens, in, out;
};
Kernel forward_of(const Linear& l, double e, double bias_flops = 0) {
  return gemm(l.name + ".fwd", l.tokens, l.out, l.in, 1, e, bias_flops);
}
Kernel dgrad_of(const Linear& l, double e) { return gemm(l.name + ".dgrad", l.tokens, l.in, l.out, 1, e); }
Kernel wgrad_of(const Linear& l, double e, double bias_flops = 0) {
  return gemm(l.name + ".wgrad", l.in, l.out, l.tokens, 1, e, bias_flops);
}

void require(const TransformerModel& model, int micro_batch) {
  if (micro_batch < 1)
    throw InputError(fmt::format("model '{}': micro-batch must be at least 1 sequence, got {}", model.name, micro_batch));
  if (model.heads < 1 || model.hidden % model.heads != 0)
    throw InputError(fmt::format("model '{}': hidden {} is not a multiple of heads {}", model.name, model.hidden, model.heads));
}

}  // namespace

const char* to_string(AttentionKernel attention) {
  return attention == AttentionKernel::fused ? "fused" : "unfused";
}

const char* to_string(ElementwiseKernels elementwise) {
  return elementwise == ElementwiseKernels::fused ? "fused" : "unfused";
}

std::optional<AttentionKernel> attention_kernel_named(std::string_view name) {
  if (name == "fused") return AttentionKernel::fused;
  if (name == "unfused") return AttentionKernel::unfused;
  return std::nullopt;
}

std::optional<ElementwiseKernels> elementwise_kernels_named(std::string_view name) {
  if (name == "fused") return ElementwiseKernels::fused;
  if (name == "unfused") return ElementwiseKernels::unfused;
  return std::nullopt;
}

double kernel_flops(const std::vector<Kernel>& kernels) {
  double total = 0;
  for (const Kernel& k : kernels) total += k.count * k.flops;
  return total;
}

double gemm_shape_flops(const Kernel& k) {
  switch (k.kind) {
    case KernelKind::gemm: return 2.0 * k.m * k.n * k.k * k.batch;
    case KernelKind::fused_attention: return k.flops;  // its products, no epilogue
    case KernelKind::memory: return 0;
  }
  return 0;
}

PassKernels block_kernels(const TransformerModel& model, int micro_batch, bool activation_checkpointing, KernelChoice kernels) {
  require(model, micro_batch);
  const double b = micro_batch, s = model.seq_len, h = model.hidden, f = model.ffn_hidden, a = model.heads;
  const double d = head_dim(model), T = b * s, heads = b * a;
  const double e = element_bytes(model);
  const double mask = 1;  // bytes per element of a dropout mask
  const bool eager = kernels.elementwise == ElementwiseKernels::unfused;
  const bool unfused_attention = kernels.attention == AttentionKernel::unfused;
  // Q is heads x head_dim wide, K and V kv_heads x head_dim (grouped-query attention); a model with
  // separate Q, K and V tensors (Hugging Face's BERT and Llama) runs three GEMMs.
  const double q_width = a * d, kv_width = static_cast<double>(kv_heads(model)) * d;
  const Linear qkv{"qkv", T, h, q_width + 2 * kv_width}, proj{"attn_out", T, q_width, h}, up{"mlp_up", T, h, f},
      gate{"mlp_gate", T, h, f}, down{"mlp_down", T, f, h};
  // A norm's FLOPs as flops.hpp counts its parameters: LayerNorm's scale and shift, RMSNorm's scale.
  const double norm_flops = 2 * T * (model.norm_bias ? 2 : 1) * h;
  const std::vector<Linear> projections =
      model.fused_qkv ? std::vector<Linear>{qkv}
                      : std::vector<Linear>{{"q", T, h, q_width}, {"k", T, h, kv_width}, {"v", T, h, kv_width}};
  const bool gated = model.gated_mlp;
  // The bias FLOPs flops.hpp charges, where the model has the bias.
  const double up_bias_flops = model.mlp_bias ? 2 * T * f : 0;
  // An eager element-wise kernel: one HBM pass over `bytes`, and the bias FLOPs flops.hpp charges.
  auto bias_of = [&](const Linear& l, const char* pass) { return memory(l.name + ".bias." + pass, 2 * l.tokens * l.out * e, 2 * l.tokens * l.out); };
  auto bias_grad_of = [&](const Linear& l) { return memory(l.name + ".bias.bwd", l.tokens * l.out * e, 2 * 2 * l.tokens * l.out); };

  PassKernels p;
  auto& fw = p.forward;
  // A residual branch's output: Megatron's fused bias + dropout + residual add, or the three.
  auto residual_forward = [&](const std::string& name, const Linear& l, bool bias) {
    if (!eager) {
      fw.push_back(memory(name + ".fwd", T * h * (3 * e + mask), bias ? 2 * T * h : 0));
      return;
    }
    if (bias) fw.push_back(bias_of(l, "fwd"));
    fw.push_back(memory(name + ".dropout.fwd", T * h * (2 * e + mask)));
    fw.push_back(memory(name + ".fwd", 3 * T * h * e));
  };
  fw.push_back(memory("ln1.fwd", 2 * T * h * e, norm_flops));
  for (const Linear& l : projections) {
    const double bias_flops = model.qkv_bias ? 2 * T * l.out : 0;
    if (!eager) {
      fw.push_back(forward_of(l, e, bias_flops));  // bias in the GEMM's epilogue (Megatron's F.linear on 2-D)
    } else {
      fw.push_back(forward_of(l, e));
      if (model.qkv_bias) fw.push_back(bias_of(l, "fwd"));  // matmul, then `output += bias`
    }
  }
  if (unfused_attention) {
    // torch.matmul flattens the batch and head dims of the permuted Q, K^T and V with reshape: copies.
    if (eager) fw.push_back(memory("attn_qkv_copy.fwd", 2 * T * (q_width + 2 * kv_width) * e));
    fw.push_back(gemm("attn_scores.fwd", s, s, d, heads, e));
    if (eager) {
      fw.push_back(memory("attn_scale.fwd", heads * s * s * 2 * e));  // scores / sqrt(d)
      fw.push_back(memory("attn_mask.fwd", heads * s * s * 2 * e));   // + attention_mask
      fw.push_back(memory("attn_softmax.fwd", heads * s * s * 2 * e));
    } else {
      fw.push_back(memory("attn_softmax.fwd", heads * s * s * 2 * e));  // Megatron's fused scale+mask+softmax
    }
    fw.push_back(memory("attn_dropout.fwd", heads * s * s * (2 * e + mask)));
    fw.push_back(gemm("attn_context.fwd", s, d, s, heads, e));
    if (eager) fw.push_back(memory("attn_context_copy.fwd", 2 * T * q_width * e));  // permute(0, 2, 1, 3).contiguous()
  } else {
    fw.push_back(fused_attention("attn_fused.fwd", s, d, heads, 2.0 * 2.0 * s * d * s * heads,  // scores and context
                                 T * (2 * q_width + 2 * kv_width) * e));                     // Q, K, V in, O out
  }
  fw.push_back(forward_of(proj, e));
  residual_forward("residual1", proj, model.out_bias);
  fw.push_back(memory("ln2.fwd", 2 * T * h * e, norm_flops));
  fw.push_back(forward_of(up, e));
  if (eager && model.mlp_bias) fw.push_back(bias_of(up, "fwd"));
  if (gated) fw.push_back(forward_of(gate, e));
  if (eager) {
    if (gated && model.mlp_bias) fw.push_back(bias_of(gate, "fwd"));
    fw.push_back(memory("mlp_act.fwd", 2 * T * f * e));                  // GeLU, or SiLU(gate)
    if (gated) fw.push_back(memory("mlp_act.mul.fwd", 3 * T * f * e));  // x up
  } else if (gated) {
    fw.push_back(memory("mlp_act.fwd", 3 * T * f * e, 2 * up_bias_flops));  // biases + SiLU(gate) x up
  } else {
    fw.push_back(memory("mlp_act.fwd", 2 * T * f * e, up_bias_flops));  // bias + GeLU
  }
  fw.push_back(forward_of(down, e));
  residual_forward("residual2", down, model.mlp_bias);

  // Backward, in reverse order: dgrad and wgrad per GEMM, each memory-bound kernel's backward
  // (2x its forward FLOPs, as flops.hpp's backward = 2 x forward). Eager: a bias's gradient is a
  // reduction over the tokens, a dropout's is the mask applied again, the residual stream's and a
  // tensor read by several GEMMs' gradients are summed by autograd, one add each.
  auto& bw = p.backward;
  // A residual branch's output (its GEMM `l`'s bias, dropout and add): one fused kernel, or three.
  auto residual_backward = [&](const std::string& name, const Linear& l, bool bias) {
    if (!eager) {
      bw.push_back(memory(name + ".bwd", T * h * (3 * e + mask), bias ? 2 * 2 * T * h : 0));
      return;
    }
    bw.push_back(memory(name + ".bwd", 3 * T * h * e));
    bw.push_back(memory(name + ".dropout.bwd", T * h * (2 * e + mask)));
    if (bias) bw.push_back(bias_grad_of(l));
  };
  residual_backward("residual2", down, model.mlp_bias);
  bw.push_back(dgrad_of(down, e));
  bw.push_back(wgrad_of(down, e));
  if (eager) {
    if (gated) bw.push_back(memory("mlp_act.mul.bwd", 5 * T * f * e));
    bw.push_back(memory("mlp_act.bwd", 3 * T * f * e));
    if (gated && model.mlp_bias) bw.push_back(bias_grad_of(gate));
    if (model.mlp_bias) bw.push_back(bias_grad_of(up));
  } else if (gated) {
    bw.push_back(memory("mlp_act.bwd", 5 * T * f * e, 2 * 2 * up_bias_flops));
  } else {
    bw.push_back(memory("mlp_act.bwd", 3 * T * f * e, 2 * up_bias_flops));
  }
  if (gated) {
    bw.push_back(dgrad_of(gate, e));
    bw.push_back(wgrad_of(gate, e));
  }
  bw.push_back(dgrad_of(up, e));
  bw.push_back(wgrad_of(up, e));
  if (eager && gated) bw.push_back(memory("mlp_up.grad_sum.bwd", 3 * T * h * e));
  bw.push_back(memory("ln2.bwd", 3 * T * h * e, 2 * norm_flops));
  residual_backward("residual1", proj, model.out_bias);
  bw.push_back(dgrad_of(proj, e));
  bw.push_back(wgrad_of(proj, e));
  if (unfused_attention) {
    if (eager) bw.push_back(memory("attn_context_copy.bwd", 2 * T * q_width * e));
    bw.push_back(gemm("attn_context.dgrad", s, s, d, heads, e));  // dP = dC V^T
    bw.push_back(gemm("attn_context.wgrad", s, d, s, heads, e));  // dV = P^T dC
    bw.push_back(memory("attn_dropout.bwd", heads * s * s * (2 * e + mask)));
    bw.push_back(memory("attn_softmax.bwd", heads * s * s * 3 * e));
    if (eager) bw.push_back(memory("attn_scale.bwd", heads * s * s * 2 * e));  // the mask's add passes the gradient through
    bw.push_back(gemm("attn_scores.dgrad", s, d, s, heads, e));  // dQ = dS K
    bw.push_back(gemm("attn_scores.wgrad", s, d, s, heads, e));  // dK = dS^T Q
    if (eager) bw.push_back(memory("attn_qkv_copy.bwd", 2 * T * (q_width + 2 * kv_width) * e));
  } else {
    bw.push_back(fused_attention("attn_fused.bwd", s, d, heads, 2 * 2.0 * 2.0 * s * d * s * heads,  // dgrad and wgrad of both products
                                 T * (4 * q_width + 4 * kv_width) * e));  // Q, K, V, O, dO in; dQ, dK, dV out
  }
  for (auto l = projections.rbegin(); l != projections.rend(); ++l) {
    if (eager && model.qkv_bias) bw.push_back(bias_grad_of(*l));
    bw.push_back(dgrad_of(*l, e));
    bw.push_back(wgrad_of(*l, e, !eager && model.qkv_bias ? 2 * 2 * T * l->out : 0));  // fused: and the bias gradient
  }
  if (eager && projections.size() > 1)
    bw.push_back(memory(projections.front().name + ".grad_sum.bwd", (projections.size() - 1) * 3 * T * h * e));
  bw.push_back(memory("ln1.bwd", 3 * T * h * e, 2 * norm_flops));

  if (activation_checkpointing) {
    p.recompute = p.forward;
    for (Kernel& k : p.recompute) k.name = k.name.substr(0, k.name.size() - 4) + ".recompute";
  }
  return p;
}

PassKernels head_kernels(const TransformerModel& model, int micro_batch) {
  require(model, micro_batch);
  const double T = static_cast<double>(micro_batch) * model.seq_len, h = model.hidden, V = model.vocab;
  const double e = element_bytes(model);
  const Linear head{"head", T, h, V};
  PassKernels p;
  p.forward = {memory("embedding.fwd", 2 * T * h * e), memory("final_norm.fwd", 2 * T * h * e), forward_of(head, e),
               memory("loss.fwd", 2 * T * V * e)};
  p.backward = {memory("loss.bwd", 2 * T * V * e), dgrad_of(head, e), wgrad_of(head, e), memory("final_norm.bwd", 3 * T * h * e),
                memory("embedding.bwd", 2 * T * h * e)};
  return p;
}

}  // namespace shardsim
