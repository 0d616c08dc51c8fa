// Floating-point work of training a TransformerModel, per micro-batch of b sequences of s tokens
// (s = the training seq_len; V = vocab, L = layers, P = active parameters per layer, averaged over
// the layers: in a mixture-of-experts block the router, the experts_per_token routed experts a
// token goes through and the shared expert, not every expert; A = heads * head_dim, which is
// hidden except where head_dim is set apart, as in Gemma). One multiply-add is 2 FLOPs.
//   layer forward    2*P*b*s + 4*b*s^2*A   (every active weight in a matmul once per token, plus the
//                                            attention products Q.K^T and scores.V, 2*b*s^2*A each;
//                                            sliding-window attention is counted at full length)
//   layer backward   2 x forward           (gradients with respect to inputs and to weights)
//   layer recompute  1 x forward when activation checkpointing recomputes the layer, else 0
//   output head      2*V*h*b*s forward, 2x that backward, never recomputed (it sits outside the
//                    checkpointed blocks); the embedding lookup is a gather and costs no FLOPs.
// Two per-token conventions, which differ and must not be mixed:
//   model FLOPs per token    = 6 * active_parameter_count  (the MFU convention: forward 2, backward 4,
//                               no attention scores, no recompute; what "MFU" papers report)
//   hardware FLOPs per token = the sum above for b = 1 divided by s, including attention scores
//                               and recomputation (about 8 * parameter_count with checkpointing);
//                               what MiCS-style "TFLOPS per GPU" figures count.
#pragma once

#include "sim/model/transformer.hpp"

namespace shardsim {

// FLOPs of one pass over one layer for one micro-batch. The struct name carries the unit.
struct LayerFlops {
  double forward = 0;
  double backward = 0;
  double recompute = 0;
  double total() const { return forward + backward + recompute; }
};

struct ModelFlops {
  LayerFlops per_layer;    // one transformer block
  LayerFlops output_head;  // the vocabulary projection (recompute always 0)
  int layers = 0;
  double forward_flops = 0;    // layers * per_layer.forward + output_head.forward
  double backward_flops = 0;
  double recompute_flops = 0;
  double total_flops = 0;      // one micro-batch, forward + backward + recompute
};

LayerFlops layer_flops(const TransformerModel& model, int micro_batch, bool activation_checkpointing);
LayerFlops output_head_flops(const TransformerModel& model, int micro_batch);
ModelFlops model_flops(const TransformerModel& model, int micro_batch, bool activation_checkpointing);

// 6 * active_parameter_count (MFU convention; parameter_count for dense models).
double model_flops_per_token(const TransformerModel& model);
// All executed FLOPs per token at sequence length seq_len, including attention scores and, when
// checkpointing, recomputation.
double hardware_flops_per_token(const TransformerModel& model, bool activation_checkpointing);

}  // namespace shardsim
