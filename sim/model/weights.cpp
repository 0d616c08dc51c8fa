#include "sim/model/weights.hpp"

#include <fmt/format.h>

namespace shardsim {
namespace {

using Tensors = std::vector<WeightTensor>;

void norm(Tensors& w, const TransformerModel& m, const std::string& module) {
  w.push_back({module + ".weight", m.hidden, module});
  if (m.norm_bias) w.push_back({module + ".bias", m.hidden, module});
}

// A linear layer in -> out, with its bias when `bias`.
void linear(Tensors& w, const std::string& name, std::int64_t in, std::int64_t out, bool bias, const std::string& module) {
  w.push_back({name + ".weight", in * out, module});
  if (bias) w.push_back({name + ".bias", out, module});
}

void attention(Tensors& w, const TransformerModel& m) {
  const std::int64_t h = m.hidden, d = head_dim(m);
  const std::int64_t q = static_cast<std::int64_t>(m.heads) * d, kv = static_cast<std::int64_t>(kv_heads(m)) * d;
  if (m.fused_qkv) {
    linear(w, "attention.qkv", h, q + 2 * kv, m.qkv_bias, "attention");
  } else {
    linear(w, "attention.q", h, q, m.qkv_bias, "attention");
    linear(w, "attention.k", h, kv, m.qkv_bias, "attention");
    linear(w, "attention.v", h, kv, m.qkv_bias, "attention");
  }
  if (m.qk_norm) w.insert(w.end(), {{"attention.q_norm.weight", d, "attention"}, {"attention.k_norm.weight", d, "attention"}});
  linear(w, "attention.out", q, h, m.out_bias, "attention");
}

// One dense MLP of width f under `prefix` ("mlp", "mlp.experts.3", "mlp.shared").
void mlp(Tensors& w, const TransformerModel& m, const std::string& prefix, std::int64_t f, bool bias) {
  const std::int64_t h = m.hidden;
  linear(w, prefix + ".up", h, f, bias, "mlp");
  if (m.gated_mlp) linear(w, prefix + ".gate", h, f, bias, "mlp");
  linear(w, prefix + ".down", f, h, bias, "mlp");
}

void moe(Tensors& w, const TransformerModel& m) {
  const std::int64_t h = m.hidden;
  const std::int64_t f = m.expert_ffn_hidden > 0 ? m.expert_ffn_hidden : m.ffn_hidden;
  w.push_back({"mlp.router.weight", h * m.experts, "mlp"});
  for (int e = 0; e < m.experts; ++e) mlp(w, m, fmt::format("mlp.experts.{}", e), f, m.mlp_bias);
  if (m.shared_expert_ffn_hidden > 0) mlp(w, m, "mlp.shared", m.shared_expert_ffn_hidden, m.mlp_bias);
  if (m.shared_expert_gate) w.push_back({"mlp.shared_gate.weight", h, "mlp"});
}

}  // namespace

std::vector<WeightTensor> block_weights(const TransformerModel& m, int layer) {
  Tensors w;
  norm(w, m, "norm1");
  attention(w, m);
  // Two norms: before attention and before the MLP. Gemma 2's four add one after each.
  const int before_mlp = m.norms_per_block > 2 ? m.norms_per_block - 1 : m.norms_per_block;
  for (int i = 2; i <= before_mlp; ++i) norm(w, m, fmt::format("norm{}", i));
  if (is_moe_layer(m, layer)) moe(w, m);
  else mlp(w, m, "mlp", m.ffn_hidden, m.mlp_bias);
  if (m.norms_per_block > 2) norm(w, m, fmt::format("norm{}", m.norms_per_block));
  return w;
}

std::vector<WeightTensor> block_weights(const TransformerModel& m) {
  const int typical = m.dense_layers > 0 && parameters_of_layer(m, 0) > parameters_of_layer(m, m.layers) ? 0 : m.layers;
  return block_weights(m, typical);
}

std::vector<WeightTensor> embedding_weights(const TransformerModel& m) {
  Tensors w{{"embedding.token", static_cast<std::int64_t>(m.vocab) * m.hidden, "embedding"}};
  if (const std::int64_t rows = position_table_rows(m); rows > 0) w.push_back({"embedding.position", rows * m.hidden, "embedding"});
  if (m.embedding_norm) {
    w.push_back({"embedding.norm.weight", m.hidden, "embedding"});
    if (m.norm_bias) w.push_back({"embedding.norm.bias", m.hidden, "embedding"});
  }
  return w;
}

std::vector<WeightTensor> head_weights(const TransformerModel& m) {
  Tensors w;
  norm(w, m, "final_norm");
  if (!m.tied_embeddings) w.push_back({"head.weight", static_cast<std::int64_t>(m.vocab) * m.hidden, "head"});
  if (m.head_bias) w.push_back({"head.bias", m.vocab, "head"});
  return w;
}

}  // namespace shardsim
