// The weight tensors of a TransformerModel, one entry per torch parameter as the frameworks see
// them (DeepSpeed hooks, FSDP wrapping), in the order a block's forward touches them. The
// frameworks gather and reduce per tensor (DeepSpeed 0.5.6), per fetch set of tensors (DeepSpeed
// >= 0.6) or per wrapped module (FSDP), so schedules are compiled from this list, and its sizes
// add up exactly to parameters_per_layer and parameter_count (tested). A block is the standard
// GPT/BERT layout of transformer.hpp: fused QKV projection (h x 3h, plus bias), attention output
// (h x h), MLP up (h x f; gate h x f as well when gated), MLP down (f x h), two layernorms (scale
// and shift each), with biases as transformer.hpp counts them.
#pragma once

#include "sim/model/transformer.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace shardsim {

struct WeightTensor {
  std::string name;          // "qkv.weight", "mlp.down.bias", ...
  std::int64_t elements = 0;
  // The module it belongs to: FSDP2 and DeepSpeed's fetch sets gather a module's tensors
  // together ("attention", "mlp", "norm1", "norm2", "embedding", "head", "final_norm").
  std::string module;
};

// One transformer block's tensors, in forward order.
std::vector<WeightTensor> block_weights(const TransformerModel& model);
// The tensors outside the blocks: token and positional embeddings, final norm, untied head.
std::vector<WeightTensor> embedding_weights(const TransformerModel& model);
std::vector<WeightTensor> head_weights(const TransformerModel& model);

}  // namespace shardsim
