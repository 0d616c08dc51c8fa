#include "sim/model/flops.hpp"

#include "sim/input/input_error.hpp"

#include <fmt/format.h>

namespace shardsim {
namespace {

void require_micro_batch(const TransformerModel& model, int micro_batch) {
  if (micro_batch < 1)
    throw InputError(fmt::format("model '{}': micro-batch must be at least 1 sequence, got {}", model.name, micro_batch));
}

}  // namespace

// Doubles throughout: FLOP counts of real runs exceed 2^63 and need no integer exactness beyond
// 2^53, which covers every test-sized model exactly.
LayerFlops layer_flops(const TransformerModel& model, int micro_batch, bool activation_checkpointing) {
  require_micro_batch(model, micro_batch);
  const double b = micro_batch, s = model.seq_len;
  // The attention products run over every head's width: heads * head_dim (not hidden: Gemma-7B has
  // 16 x 256 = 4096 with hidden 3072).
  const double attention_width = static_cast<double>(model.heads) * head_dim(model);
  // Active parameters, averaged over the layers: a mixture-of-experts token multiplies through its
  // experts_per_token experts only, and DeepSeek's leading dense layers differ from the rest.
  const double params = static_cast<double>(active_parameter_count(model) - embedding_parameters(model) -
                                            output_head_parameters(model) - final_norm_parameters(model)) /
                        model.layers;
  LayerFlops f;
  f.forward = 2.0 * params * b * s + 2.0 * 2.0 * b * s * s * attention_width;
  f.backward = 2.0 * f.forward;
  f.recompute = activation_checkpointing ? f.forward : 0.0;
  return f;
}

LayerFlops output_head_flops(const TransformerModel& model, int micro_batch) {
  require_micro_batch(model, micro_batch);
  const double b = micro_batch, s = model.seq_len, h = model.hidden, v = model.vocab;
  LayerFlops f;
  f.forward = 2.0 * v * h * b * s;
  f.backward = 2.0 * f.forward;
  return f;
}

ModelFlops model_flops(const TransformerModel& model, int micro_batch, bool activation_checkpointing) {
  ModelFlops m;
  m.per_layer = layer_flops(model, micro_batch, activation_checkpointing);
  m.output_head = output_head_flops(model, micro_batch);
  m.layers = model.layers;
  const double layers = model.layers;
  m.forward_flops = layers * m.per_layer.forward + m.output_head.forward;
  m.backward_flops = layers * m.per_layer.backward + m.output_head.backward;
  m.recompute_flops = layers * m.per_layer.recompute + m.output_head.recompute;
  m.total_flops = m.forward_flops + m.backward_flops + m.recompute_flops;
  return m;
}

double model_flops_per_token(const TransformerModel& model) { return 6.0 * static_cast<double>(active_parameter_count(model)); }

double hardware_flops_per_token(const TransformerModel& model, bool activation_checkpointing) {
  return model_flops(model, 1, activation_checkpointing).total_flops / model.seq_len;
}

}  // namespace shardsim
