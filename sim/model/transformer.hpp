// The shape of a dense transformer and the parameter count it implies. One block of the standard
// GPT/BERT layout (pre- or post-norm does not change the count), with h = hidden, f = ffn_hidden,
// V = vocab, S = seq_len, L = layers:
//   attention   4*h^2 + 4*h          (Q, K, V and output projections, each h x h plus a bias)
//   MLP         2*h*f + f + h        (h -> f -> h, with biases)
//               3*h*f + 2*f + h      when gated_mlp (SwiGLU as in Llama: gate, up, down)
//   layernorms  4*h                  (two per block, scale and shift)
// so parameters_per_layer = 4h^2 + 2hf + f + 9h for the standard block (12h^2 + 13h when f = 4h).
//   embeddings  V*h + S*h            (token and learned positional tables)
//   output head V*h when the LM head is not tied to the token embedding, else 0
//   final norm  2*h                  (the layernorm after the last block)
// parameter_count = L*parameters_per_layer + embeddings + output head + final norm. This gives
// GPT-2 small exactly (124,439,808). Llama-style models (rotary positions, no biases, RMSNorm
// without shift) are over-counted by their missing biases, norm shifts and the S*h positional
// table: 0.3% for Llama-2-7B. Grouped-query attention is not modelled (K and V counted as h x h).
#pragma once

#include <cstdint>
#include <string>

namespace shardsim {

struct TransformerModel {
  std::string name;
  int layers = 0;
  int hidden = 0;
  int heads = 0;
  int ffn_hidden = 0;
  int seq_len = 0;
  int vocab = 0;
  bool tied_embeddings = true;
  std::string precision = "bf16";  // "bf16" | "fp16" | "fp32": dtype of parameters and gradients
  std::string source;              // where the shape comes from, for reports
  // Three h x f matrices in the MLP instead of two; set by the Hugging Face import for Llama-style
  // configs so a 7B model is not counted as 5B.
  bool gated_mlp = false;
};

std::int64_t attention_parameters_per_layer(const TransformerModel& model);
std::int64_t mlp_parameters_per_layer(const TransformerModel& model);
std::int64_t layernorm_parameters_per_layer(const TransformerModel& model);
std::int64_t parameters_per_layer(const TransformerModel& model);
std::int64_t embedding_parameters(const TransformerModel& model);    // token + positional tables
std::int64_t output_head_parameters(const TransformerModel& model);  // 0 when tied
std::int64_t final_norm_parameters(const TransformerModel& model);
std::int64_t parameter_count(const TransformerModel& model);

// Bytes of one parameter or gradient element in the model's precision: 2 for bf16/fp16, 4 for
// fp32. Throws InputError for an unknown precision.
int element_bytes(const TransformerModel& model);
bool known_precision(const std::string& precision);

}  // namespace shardsim
