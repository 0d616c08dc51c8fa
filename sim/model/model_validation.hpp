// The checks a TransformerModel passes before the simulator uses it: every size a positive
// integer, heads dividing hidden (unless head_dim is given), KV heads dividing heads, expert counts
// consistent, a training length within a learned positional table, a known precision, and the
// parameter count, the model states at
// 16 bytes per parameter and the all-layer activation bytes of one sequence fitting in 64 bits (so
// no later count on the model can wrap). Errors name the origin (file) and the offending field.
#pragma once

#include "sim/model/transformer.hpp"

#include <string>

namespace shardsim {

// The key each TransformerModel field was read from, so a validation error in a Hugging Face file
// names "num_attention_heads" rather than "heads".
struct ModelFieldNames {
  std::string layers = "layers";
  std::string hidden = "hidden";
  std::string heads = "heads";
  std::string ffn_hidden = "ffn_hidden";
  std::string seq_len = "seq_len";
  std::string vocab = "vocab";
  std::string precision = "precision";
};

// Throws InputError "origin: /field: message" when the model is not simulable.
void validate_model(const TransformerModel& model, const std::string& origin, const ModelFieldNames& fields = {});

}  // namespace shardsim
