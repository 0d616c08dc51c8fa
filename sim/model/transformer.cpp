#include "sim/model/transformer.hpp"

#include "sim/input/input_error.hpp"
#include "sim/model/checked_math.hpp"

#include <fmt/format.h>

namespace shardsim {
namespace {

std::string what(const TransformerModel& model, const char* quantity) {
  return fmt::format("model '{}': {}", model.name, quantity);
}

}  // namespace

std::int64_t attention_parameters_per_layer(const TransformerModel& m) {
  const std::int64_t h = m.hidden;
  const auto q = what(m, "attention parameters");
  return checked_add(checked_mul(4, checked_mul(h, h, q), q), 4 * h, q);
}

std::int64_t mlp_parameters_per_layer(const TransformerModel& m) {
  const std::int64_t h = m.hidden, f = m.ffn_hidden;
  const std::int64_t matrices = m.gated_mlp ? 3 : 2;
  const std::int64_t biases = (matrices - 1) * f + h;
  const auto q = what(m, "MLP parameters");
  return checked_add(checked_mul(matrices, checked_mul(h, f, q), q), biases, q);
}

std::int64_t layernorm_parameters_per_layer(const TransformerModel& m) { return 4 * static_cast<std::int64_t>(m.hidden); }

std::int64_t parameters_per_layer(const TransformerModel& m) {
  const auto q = what(m, "parameters per layer");
  return checked_add(checked_add(attention_parameters_per_layer(m), mlp_parameters_per_layer(m), q),
                     layernorm_parameters_per_layer(m), q);
}

std::int64_t embedding_parameters(const TransformerModel& m) {
  const auto q = what(m, "embedding parameters");
  return checked_mul(static_cast<std::int64_t>(m.vocab) + m.seq_len, m.hidden, q);
}

std::int64_t output_head_parameters(const TransformerModel& m) {
  if (m.tied_embeddings) return 0;
  return checked_mul(static_cast<std::int64_t>(m.vocab), m.hidden, what(m, "output head parameters"));
}

std::int64_t final_norm_parameters(const TransformerModel& m) { return 2 * static_cast<std::int64_t>(m.hidden); }

std::int64_t parameter_count(const TransformerModel& m) {
  const auto q = what(m, "parameter count");
  std::int64_t total = checked_mul(static_cast<std::int64_t>(m.layers), parameters_per_layer(m), q);
  total = checked_add(total, embedding_parameters(m), q);
  total = checked_add(total, output_head_parameters(m), q);
  return checked_add(total, final_norm_parameters(m), q);
}

bool known_precision(const std::string& precision) {
  return precision == "bf16" || precision == "fp16" || precision == "fp32";
}

int element_bytes(const TransformerModel& m) {
  if (m.precision == "bf16" || m.precision == "fp16") return 2;
  if (m.precision == "fp32") return 4;
  throw InputError(fmt::format("model '{}': unknown precision '{}' (expected bf16, fp16 or fp32)", m.name, m.precision));
}

}  // namespace shardsim
