// validate_model (declared in model_validation.hpp).
#include "sim/input/input_error.hpp"
#include "sim/input/limits.hpp"
#include "sim/model/checked_math.hpp"
#include "sim/model/model_validation.hpp"

#include <fmt/format.h>

namespace shardsim {
namespace {

// Published MoE models route over at most a few hundred experts (DeepSeek-V3: 256).
constexpr int kMaxExperts = 1 << 12;

[[noreturn]] void fail(const std::string& origin, const std::string& field, const std::string& message) {
  throw InputError(fmt::format("{}: /{}: {}", origin, field, message));
}

void require_positive(const std::string& origin, const std::string& field, int value) {
  if (value < 1) fail(origin, field, fmt::format("expected a positive integer, found {}", value));
}

}  // namespace

void validate_model(const TransformerModel& m, const std::string& origin, const ModelFieldNames& fields) {
  require_positive(origin, fields.layers, m.layers);
  require_positive(origin, fields.hidden, m.hidden);
  require_positive(origin, fields.heads, m.heads);
  require_positive(origin, fields.ffn_hidden, m.ffn_hidden);
  require_positive(origin, fields.seq_len, m.seq_len);
  require_positive(origin, fields.vocab, m.vocab);
  if (m.head_dim == 0 && m.hidden % m.heads != 0)
    fail(origin, fields.heads, fmt::format("{} heads do not divide hidden size {} (each head needs hidden/heads dimensions)",
                                           m.heads, m.hidden));
  if (m.head_dim < 0) fail(origin, "head_dim", fmt::format("expected a positive integer, found {}", m.head_dim));
  if (m.kv_heads < 0 || (m.kv_heads > 0 && m.heads % m.kv_heads != 0))
    fail(origin, "kv_heads", fmt::format("{} key/value heads do not divide {} attention heads (each KV head serves a group of query heads)",
                                         m.kv_heads, m.heads));
  if (m.norms_per_block < 0) fail(origin, "norms_per_block", fmt::format("expected 0 or more, found {}", m.norms_per_block));
  if (m.experts < 0 || m.experts_per_token < 0 || m.expert_ffn_hidden < 0 || m.shared_expert_ffn_hidden < 0 || m.dense_layers < 0)
    fail(origin, "experts", "expert counts and widths must not be negative");
  if (m.experts > kMaxExperts)
    fail(origin, "experts", fmt::format("{} experts is more than the {} shardsim simulates (each is a tensor list in every schedule)",
                                        m.experts, kMaxExperts));
  if (m.experts > 0 && (m.experts_per_token < 1 || m.experts_per_token > m.experts))
    fail(origin, "experts_per_token", fmt::format("expected 1 to {} (the routed experts), found {}", m.experts, m.experts_per_token));
  if (m.experts > 0 && m.dense_layers >= m.layers)
    fail(origin, "dense_layers", fmt::format("{} dense layers leave no mixture-of-experts layer of {}", m.dense_layers, m.layers));
  // A learned positional table has a row per position: training sequences cannot be longer.
  if (m.position_table > 0 && m.seq_len > m.position_table)
    fail(origin, fields.seq_len, fmt::format("training sequence length {} is longer than the model's learned positional table ({} positions)",
                                             m.seq_len, m.position_table));
  if (!known_precision(m.precision))
    fail(origin, fields.precision, fmt::format("unknown precision '{}' (expected bf16, fp16 or fp32)", m.precision));

  // The largest byte counts the memory model forms for one micro-batch sequence: 16 bytes of model
  // state per parameter, and the Korthikanti activation estimate s*(34h + 5as) for every layer.
  // Checking them here means later arithmetic on this model cannot wrap.
  try {
    const std::int64_t psi = parameter_count(m);
    checked_mul(psi, std::int64_t{16}, "model state bytes");
    const std::int64_t s = m.seq_len, h = m.hidden, a = m.heads;
    const std::int64_t per_token = checked_add(checked_mul(34, h, "activation bytes"),
                                               checked_mul(5 * a, s, "activation bytes"), "activation bytes");
    checked_mul(checked_mul(s, per_token, "activation bytes"), std::int64_t{m.layers}, "activation bytes");
  } catch (const InputError& e) {
    fail(origin, fields.hidden,
         fmt::format("shape too large: {} (layers {}, hidden {}, ffn_hidden {}, seq_len {}, vocab {})", e.what(), m.layers,
                     m.hidden, m.ffn_hidden, m.seq_len, m.vocab));
  }
  // After the overflow check, so a shape whose counts wrap is reported as that first.
  if (m.layers > limits::kMaxModelLayers)
    fail(origin, fields.layers, fmt::format("{} layers is more than the {} shardsim simulates (sim/input/limits.hpp)", m.layers,
                                            limits::kMaxModelLayers));
}

}  // namespace shardsim
