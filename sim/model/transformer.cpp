#include "sim/model/transformer.hpp"

#include "sim/input/input_error.hpp"
#include "sim/model/checked_math.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace shardsim {
namespace {

std::string what(const TransformerModel& model, const char* quantity) {
  return fmt::format("model '{}': {}", model.name, quantity);
}

// a*b + c with overflow checks, the shape of every term below.
std::int64_t mul_add(std::int64_t a, std::int64_t b, std::int64_t c, const std::string& q) {
  return checked_add(checked_mul(a, b, q), c, q);
}

// One dense MLP of width f: up and down (and gate when gated), with biases as the model has them.
std::int64_t dense_mlp(const TransformerModel& m, std::int64_t f) {
  if (f == 0) return 0;
  const std::int64_t h = m.hidden;
  const std::int64_t matrices = m.gated_mlp ? 3 : 2;
  const std::int64_t biases = m.mlp_bias ? (matrices - 1) * f + h : 0;
  const auto q = what(m, "MLP parameters");
  return mul_add(matrices, checked_mul(h, f, q), biases, q);
}

std::int64_t expert_width(const TransformerModel& m) { return m.expert_ffn_hidden > 0 ? m.expert_ffn_hidden : m.ffn_hidden; }

// Router, shared expert and its gate: the part of an MoE MLP every token uses.
std::int64_t moe_always_active(const TransformerModel& m) {
  const auto q = what(m, "MoE parameters");
  std::int64_t n = checked_mul(static_cast<std::int64_t>(m.hidden), m.experts, q);
  n = checked_add(n, dense_mlp(m, m.shared_expert_ffn_hidden), q);
  if (m.shared_expert_gate) n = checked_add(n, m.hidden, q);
  return n;
}

std::int64_t moe_mlp(const TransformerModel& m, int experts_counted) {
  const auto q = what(m, "MoE parameters");
  return mul_add(experts_counted, dense_mlp(m, expert_width(m)), moe_always_active(m), q);
}

}  // namespace

int kv_heads(const TransformerModel& m) { return m.kv_heads > 0 ? m.kv_heads : m.heads; }
int head_dim(const TransformerModel& m) { return m.head_dim > 0 ? m.head_dim : (m.heads > 0 ? m.hidden / m.heads : 0); }
bool is_moe_layer(const TransformerModel& m, int layer) { return m.experts > 0 && layer >= m.dense_layers; }

std::int64_t position_table_rows(const TransformerModel& m) { return m.position_table < 0 ? m.seq_len : m.position_table; }

std::int64_t attention_parameters_per_layer(const TransformerModel& m) {
  const std::int64_t h = m.hidden, d = head_dim(m);
  const auto q = what(m, "attention parameters");
  const std::int64_t q_width = checked_mul(m.heads, d, q), kv_width = checked_mul(kv_heads(m), d, q);
  const std::int64_t qkv_width = checked_add(q_width, 2 * kv_width, q);
  std::int64_t n = checked_mul(h, checked_add(qkv_width, q_width, q), q);  // QKV in, output back to h
  if (m.qkv_bias) n = checked_add(n, qkv_width, q);
  if (m.out_bias) n = checked_add(n, h, q);
  if (m.qk_norm) n = checked_add(n, 2 * d, q);
  return n;
}

std::int64_t mlp_parameters_of_layer(const TransformerModel& m, int layer) {
  return is_moe_layer(m, layer) ? moe_mlp(m, m.experts) : dense_mlp(m, m.ffn_hidden);
}

std::int64_t mlp_parameters_per_layer(const TransformerModel& m) {
  return m.experts > 0 ? moe_mlp(m, m.experts) : dense_mlp(m, m.ffn_hidden);
}

std::int64_t layernorm_parameters_per_layer(const TransformerModel& m) {
  return static_cast<std::int64_t>(m.norms_per_block) * m.hidden * (m.norm_bias ? 2 : 1);
}

std::int64_t parameters_of_layer(const TransformerModel& m, int layer) {
  const auto q = what(m, "parameters per layer");
  return checked_add(checked_add(attention_parameters_per_layer(m), mlp_parameters_of_layer(m, layer), q),
                     layernorm_parameters_per_layer(m), q);
}

std::int64_t parameters_per_layer(const TransformerModel& m) {
  const std::int64_t moe = parameters_of_layer(m, m.layers);  // past dense_layers: MoE where the model has experts
  return m.dense_layers > 0 ? std::max(moe, parameters_of_layer(m, 0)) : moe;
}

std::int64_t active_parameters_of_layer(const TransformerModel& m, int layer) {
  if (!is_moe_layer(m, layer)) return parameters_of_layer(m, layer);
  const auto q = what(m, "active parameters per layer");
  return checked_add(checked_add(attention_parameters_per_layer(m), moe_mlp(m, m.experts_per_token), q),
                     layernorm_parameters_per_layer(m), q);
}

std::int64_t embedding_parameters(const TransformerModel& m) {
  const auto q = what(m, "embedding parameters");
  std::int64_t n = checked_mul(checked_add(m.vocab, position_table_rows(m), q), m.hidden, q);
  if (m.embedding_norm) n = checked_add(n, final_norm_parameters(m), q);
  return n;
}

std::int64_t output_head_parameters(const TransformerModel& m) {
  const std::int64_t bias = m.head_bias ? m.vocab : 0;
  if (m.tied_embeddings) return bias;
  return mul_add(m.vocab, m.hidden, bias, what(m, "output head parameters"));
}

std::int64_t final_norm_parameters(const TransformerModel& m) { return static_cast<std::int64_t>(m.hidden) * (m.norm_bias ? 2 : 1); }

namespace {

template <typename PerLayer>
std::int64_t count(const TransformerModel& m, PerLayer per_layer) {
  const auto q = what(m, "parameter count");
  // Every layer past dense_layers has the same size: count the two kinds, not each layer.
  const int dense = std::clamp(m.experts > 0 ? m.dense_layers : 0, 0, std::max(m.layers, 0));
  std::int64_t total = checked_mul(dense, per_layer(m, 0), q);
  total = checked_add(total, checked_mul(m.layers - dense, per_layer(m, m.layers), q), q);
  total = checked_add(total, embedding_parameters(m), q);
  total = checked_add(total, output_head_parameters(m), q);
  return checked_add(total, final_norm_parameters(m), q);
}

}  // namespace

std::int64_t parameter_count(const TransformerModel& m) { return count(m, parameters_of_layer); }
std::int64_t active_parameter_count(const TransformerModel& m) { return count(m, active_parameters_of_layer); }

bool known_precision(const std::string& precision) {
  return precision == "bf16" || precision == "fp16" || precision == "fp32";
}

int element_bytes(const TransformerModel& m) {
  if (m.precision == "bf16" || m.precision == "fp16") return 2;
  if (m.precision == "fp32") return 4;
  throw InputError(fmt::format("model '{}': unknown precision '{}' (expected bf16, fp16 or fp32)", m.name, m.precision));
}

}  // namespace shardsim
