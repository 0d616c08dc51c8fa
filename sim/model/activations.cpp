#include "sim/model/activations.hpp"

#include "sim/input/input_error.hpp"
#include "sim/model/checked_math.hpp"

#include <fmt/format.h>

namespace shardsim {
namespace {

void require_micro_batch(const TransformerModel& model, int micro_batch) {
  if (micro_batch < 1)
    throw InputError(fmt::format("model '{}': micro-batch must be at least 1 sequence, got {}", model.name, micro_batch));
}

// Korthikanti's constants are for 16-bit activations; fp32 doubles them.
std::uint64_t precision_factor(const TransformerModel& model) { return element_bytes(model) / 2; }

}  // namespace

std::uint64_t layer_activation_bytes(const TransformerModel& m, int micro_batch) {
  require_micro_batch(m, micro_batch);
  const std::uint64_t s = m.seq_len, b = micro_batch, h = m.hidden, a = m.heads;
  constexpr const char* what = "activation bytes per layer";
  const std::uint64_t per_token = checked_add(checked_mul(std::uint64_t{34}, h, what),
                                              checked_mul(checked_mul(std::uint64_t{5}, a, what), s, what), what);
  return checked_mul(checked_mul(checked_mul(s, b, what), per_token, what), precision_factor(m), what);
}

std::uint64_t layer_input_bytes(const TransformerModel& m, int micro_batch) {
  require_micro_batch(m, micro_batch);
  const std::uint64_t s = m.seq_len, b = micro_batch, h = m.hidden;
  constexpr const char* what = "checkpointed layer input bytes";
  return checked_mul(checked_mul(checked_mul(s, b, what), h, what), 2 * precision_factor(m), what);
}

std::uint64_t activation_bytes(const TransformerModel& m, int micro_batch, bool activation_checkpointing) {
  const std::uint64_t layers = m.layers;
  constexpr const char* what = "activation bytes";
  if (!activation_checkpointing) return checked_mul(layers, layer_activation_bytes(m, micro_batch), what);
  return checked_add(checked_mul(layers, layer_input_bytes(m, micro_batch), what), layer_activation_bytes(m, micro_batch),
                     what);
}

}  // namespace shardsim
