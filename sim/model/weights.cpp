#include "sim/model/weights.hpp"

namespace shardsim {

std::vector<WeightTensor> block_weights(const TransformerModel& m) {
  const std::int64_t h = m.hidden, f = m.ffn_hidden;
  std::vector<WeightTensor> w{
      {"norm1.weight", h, "norm1"},
      {"norm1.bias", h, "norm1"},
      {"attention.qkv.weight", 3 * h * h, "attention"},
      {"attention.qkv.bias", 3 * h, "attention"},
      {"attention.out.weight", h * h, "attention"},
      {"attention.out.bias", h, "attention"},
      {"norm2.weight", h, "norm2"},
      {"norm2.bias", h, "norm2"},
      {"mlp.up.weight", h * f, "mlp"},
      {"mlp.up.bias", f, "mlp"},
  };
  if (m.gated_mlp) w.insert(w.end(), {{"mlp.gate.weight", h * f, "mlp"}, {"mlp.gate.bias", f, "mlp"}});
  w.insert(w.end(), {{"mlp.down.weight", f * h, "mlp"}, {"mlp.down.bias", h, "mlp"}});
  return w;
}

std::vector<WeightTensor> embedding_weights(const TransformerModel& m) {
  return {{"embedding.token", static_cast<std::int64_t>(m.vocab) * m.hidden, "embedding"},
          {"embedding.position", static_cast<std::int64_t>(m.seq_len) * m.hidden, "embedding"}};
}

std::vector<WeightTensor> head_weights(const TransformerModel& m) {
  std::vector<WeightTensor> w{{"final_norm.weight", m.hidden, "final_norm"}, {"final_norm.bias", m.hidden, "final_norm"}};
  if (!m.tied_embeddings) w.push_back({"head.weight", static_cast<std::int64_t>(m.vocab) * m.hidden, "head"});
  return w;
}

}  // namespace shardsim
