// The weight tensors of a TransformerModel, one entry per torch parameter as the frameworks see
// them (DeepSpeed hooks, FSDP wrapping), in the order a block's forward touches them. The
// frameworks gather and reduce per tensor (DeepSpeed 0.5.6), per fetch set of tensors (DeepSpeed
// >= 0.6) or per wrapped module (FSDP), so schedules are compiled from this list, and its sizes
// add up exactly to parameters_of_layer and parameter_count (tested). A block is the layout of
// transformer.hpp: a fused QKV projection (h x (n + 2g)d, GPT-2/NeoX/BLOOM/Falcon/MPT) or separate
// q, k and v projections with the grouped-query sizes (Llama, Mistral, Qwen, Gemma, OPT, Phi),
// the attention output, the MLP (up, gate when gated, down), or in a mixture-of-experts block the
// router, every expert's up/gate/down and the shared expert, and one or two norms; biases and norm
// shifts only where the model has them.
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
  // together ("attention", "mlp", "norm1", "norm2" (and "norm3", "norm4" in Gemma 2), "embedding",
  // "head", "final_norm"); the tensors of a mixture-of-experts MLP (router, experts.E.*, shared.*)
  // all belong to "mlp".
  std::string module;
};

// One transformer block's tensors, in forward order: block `layer`, or the typical (largest) block.
std::vector<WeightTensor> block_weights(const TransformerModel& model, int layer);
std::vector<WeightTensor> block_weights(const TransformerModel& model);
// The tensors outside the blocks: token and positional embeddings, final norm, untied head.
std::vector<WeightTensor> embedding_weights(const TransformerModel& model);
std::vector<WeightTensor> head_weights(const TransformerModel& model);

}  // namespace shardsim
