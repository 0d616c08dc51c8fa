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

PassKernels block_kernels(const TransformerModel& model, int micro_batch, bool activation_checkpointing,
                          AttentionKernel attention) {
  require(model, micro_batch);
  const double b = micro_batch, s = model.seq_len, h = model.hidden, f = model.ffn_hidden, a = model.heads;
  const double d = h / a, T = b * s, heads = b * a;
  const double e = element_bytes(model);
  const double mask = 1;  // bytes per element of a dropout mask
  const Linear qkv{"qkv", T, h, 3 * h}, proj{"attn_out", T, h, h}, up{"mlp_up", T, h, f}, gate{"mlp_gate", T, h, f},
      down{"mlp_down", T, f, h};
  const bool gated = model.gated_mlp;

  PassKernels p;
  auto& fw = p.forward;
  fw.push_back(memory("ln1.fwd", 2 * T * h * e, 2 * T * 2 * h));
  fw.push_back(forward_of(qkv, e, 2 * T * 3 * h));  // bias in the GEMM's epilogue (F.linear)
  if (attention == AttentionKernel::unfused) {
    fw.push_back(gemm("attn_scores.fwd", s, s, d, heads, e));
    fw.push_back(memory("attn_softmax.fwd", heads * s * s * 2 * e));  // Megatron's fused scale+mask+softmax
    fw.push_back(memory("attn_dropout.fwd", heads * s * s * (2 * e + mask)));
    fw.push_back(gemm("attn_context.fwd", s, d, s, heads, e));
  } else {
    Kernel k;
    k.kind = KernelKind::fused_attention;
    k.name = "attn_fused.fwd";
    k.m = s, k.n = d, k.k = s, k.batch = heads;
    k.flops = 2.0 * 2.0 * s * d * s * heads;  // scores and context
    k.hbm_bytes = 4 * T * h * e;  // Q, K, V in, O out
    fw.push_back(k);
  }
  fw.push_back(forward_of(proj, e));
  fw.push_back(memory("residual1.fwd", T * h * (3 * e + mask), 2 * T * h));  // bias + dropout + residual add
  fw.push_back(memory("ln2.fwd", 2 * T * h * e, 2 * T * 2 * h));
  fw.push_back(forward_of(up, e));
  if (gated) fw.push_back(forward_of(gate, e));
  if (gated) fw.push_back(memory("mlp_act.fwd", 3 * T * f * e, 2 * 2 * T * f));  // biases + SiLU(gate) x up
  else fw.push_back(memory("mlp_act.fwd", 2 * T * f * e, 2 * T * f));             // bias + GeLU
  fw.push_back(forward_of(down, e));
  fw.push_back(memory("residual2.fwd", T * h * (3 * e + mask), 2 * T * h));

  // Backward, in reverse order: dgrad and wgrad per GEMM, each memory-bound kernel's backward
  // (2x its forward FLOPs, as flops.hpp's backward = 2 x forward).
  auto& bw = p.backward;
  bw.push_back(memory("residual2.bwd", T * h * (3 * e + mask), 2 * 2 * T * h));
  bw.push_back(dgrad_of(down, e));
  bw.push_back(wgrad_of(down, e));
  if (gated) bw.push_back(memory("mlp_act.bwd", 5 * T * f * e, 2 * 2 * 2 * T * f));
  else bw.push_back(memory("mlp_act.bwd", 3 * T * f * e, 2 * 2 * T * f));
  if (gated) {
    bw.push_back(dgrad_of(gate, e));
    bw.push_back(wgrad_of(gate, e));
  }
  bw.push_back(dgrad_of(up, e));
  bw.push_back(wgrad_of(up, e));
  bw.push_back(memory("ln2.bwd", 3 * T * h * e, 2 * 2 * T * 2 * h));
  bw.push_back(memory("residual1.bwd", T * h * (3 * e + mask), 2 * 2 * T * h));
  bw.push_back(dgrad_of(proj, e));
  bw.push_back(wgrad_of(proj, e));
  if (attention == AttentionKernel::unfused) {
    bw.push_back(gemm("attn_context.dgrad", s, s, d, heads, e));  // dP = dC V^T
    bw.push_back(gemm("attn_context.wgrad", s, d, s, heads, e));  // dV = P^T dC
    bw.push_back(memory("attn_dropout.bwd", heads * s * s * (2 * e + mask)));
    bw.push_back(memory("attn_softmax.bwd", heads * s * s * 3 * e));
    bw.push_back(gemm("attn_scores.dgrad", s, d, s, heads, e));  // dQ = dS K
    bw.push_back(gemm("attn_scores.wgrad", s, d, s, heads, e));  // dK = dS^T Q
  } else {
    Kernel k;
    k.kind = KernelKind::fused_attention;
    k.name = "attn_fused.bwd";
    k.m = s, k.n = d, k.k = s, k.batch = heads;
    k.flops = 2 * 2.0 * 2.0 * s * d * s * heads;  // dgrad and wgrad of both products
    k.hbm_bytes = 8 * T * h * e;  // Q, K, V, O, dO in; dQ, dK, dV out
    bw.push_back(k);
  }
  bw.push_back(dgrad_of(qkv, e));
  bw.push_back(wgrad_of(qkv, e, 2 * 2 * T * 3 * h));  // and the bias gradient
  bw.push_back(memory("ln1.bwd", 3 * T * h * e, 2 * 2 * T * 2 * h));

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
