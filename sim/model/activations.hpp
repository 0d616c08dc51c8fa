// Activation memory of one GPU's micro-batch (b sequences of s tokens, hidden h, a heads, L layers),
// after Korthikanti et al., "Reducing Activation Recomputation in Large Transformer Models" (2022),
// without tensor or sequence parallelism:
//   full activations of one layer   s*b*h*(34 + 5*a*s/h) = s*b*(34*h + 5*a*s) bytes
//       (16-bit activations, 1-byte dropout masks; 5*a*s^2*b is the attention score, softmax and
//        dropout tensors, which dominate at long sequence lengths)
//   checkpointed input of one layer s*b*h*2 bytes
//   with full activation checkpointing:  L * input + one layer's full activations (the layer being
//                                        recomputed during backward)
//   without:                             L * full activations
// fp32 models double every figure (an approximation: dropout masks would stay 1 byte). Not
// modelled: the logits and loss buffers of the output head (about 4*s*b*V bytes), framework
// temporaries, and the shape extensions of transformer.hpp: grouped-query attention, gated MLPs,
// head_dim set apart and mixture-of-experts blocks are counted as the dense GPT block of the same
// hidden size and heads (the K/V tensors are smaller with GQA; k routed experts hold k MLP
// intermediates per token).
#pragma once

#include "sim/model/transformer.hpp"

#include <cstdint>

namespace shardsim {

std::uint64_t layer_activation_bytes(const TransformerModel& model, int micro_batch);
std::uint64_t layer_input_bytes(const TransformerModel& model, int micro_batch);
std::uint64_t activation_bytes(const TransformerModel& model, int micro_batch, bool activation_checkpointing);

}  // namespace shardsim
