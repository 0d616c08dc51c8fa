// The shape of a decoder (or encoder) transformer as the models people train have it, and the
// parameter counts it implies: total parameters (what memory holds) and active parameters (what
// one token's forward touches, for FLOPs; they differ only in mixture-of-experts models). With
// h = hidden, n = heads, g = kv_heads, d = head_dim (hidden/heads unless given), f = ffn_hidden,
// V = vocab, T = position_table, L = layers, one block counts:
//   attention   h*n*d (Q) + 2*h*g*d (K, V) + n*d*h (output)
//               + n*d + 2*g*d when qkv_bias, + h when out_bias, + 2*d when qk_norm (Qwen3)
//               (g = n is multi-head attention, g = 1 multi-query, 1 < g < n grouped-query)
//   dense MLP   2*h*f + (f + h when mlp_bias)                    (h -> f -> h)
//               3*h*f + (2*f + h when mlp_bias) when gated_mlp  (SwiGLU/GeGLU: gate, up, down)
//   MoE MLP     experts * MLP(expert_ffn_hidden) + h*experts (router)
//               + MLP(shared_expert_ffn_hidden) + h when shared_expert_gate (Qwen-MoE)
//               in every layer from dense_layers on (DeepSeek's first_k_dense_replace); of the
//               routed experts, experts_per_token are active per token
//   norms       norms_per_block * (2*h, or h without norm_bias: RMSNorm, MPT's bias-free LayerNorm)
//               (1 norm for parallel blocks that share it: GPT-J, Phi, Falcon-7B)
//   embeddings  V*h + T*h (T = 0 with rotary or ALiBi positions) + a norm when embedding_norm (BLOOM)
//   output head V*h when not tied to the token embedding, + V when head_bias (GPT-J, Phi)
//   final norm  2*h (h without norm_bias)
// With the defaults (multi-head, biases, LayerNorm, learned positions of seq_len rows) this is the
// GPT/BERT block, 12h^2 + 13h when f = 4h, and GPT-2 small's 124,439,808 exactly; with the fields
// the Hugging Face import sets it gives Llama, Mistral, Mixtral, Qwen, Gemma, Falcon, BLOOM, MPT,
// GPT-J, Phi and DeepSeek-MoE exactly (tests/model/hf_models_test.cpp checks 23 published counts).
// seq_len is the training sequence length, a training choice (scenario seq_len, --seq-len), never
// the positional-table size: a model's context limit does not set how long its training
// sequences are, and seq_len_source says where the length in use came from.
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
  int seq_len = 0;                 // training sequence length in tokens
  std::string seq_len_source;      // where seq_len came from ("--seq-len", "scenario /seq_len", ...)
  int vocab = 0;
  bool tied_embeddings = true;
  std::string precision = "bf16";  // "bf16" | "fp16" | "fp32": dtype of parameters and gradients
  std::string source;              // where the shape comes from, for reports
  // Three h x f matrices in the MLP instead of two (SwiGLU, GeGLU).
  bool gated_mlp = false;

  // Attention.
  int kv_heads = 0;        // key/value heads; 0 = heads (multi-head attention)
  int head_dim = 0;        // 0 = hidden / heads (Gemma-7B: 256 with hidden 3072 and 16 heads)
  bool fused_qkv = true;   // one QKV tensor (GPT-2, NeoX, BLOOM, Falcon, MPT) or separate q, k, v
  bool qkv_bias = true;
  bool out_bias = true;
  bool qk_norm = false;    // per-head RMSNorm of queries and keys (Qwen3)
  // Biases and norms.
  bool mlp_bias = true;
  bool norm_bias = true;   // LayerNorm's shift; false for RMSNorm
  int norms_per_block = 2;
  bool embedding_norm = false;
  bool head_bias = false;
  // Rows of the learned positional-embedding table: -1 = seq_len rows (the GPT/BERT presets, whose
  // table is their training length; loaders replace -1 by the number), 0 = none (rotary, ALiBi).
  int position_table = -1;

  // Mixture of experts (experts = 0: every MLP dense).
  int experts = 0;                  // routed experts per MoE layer
  int experts_per_token = 0;        // routed experts each token goes through
  int expert_ffn_hidden = 0;        // 0 = ffn_hidden
  int shared_expert_ffn_hidden = 0; // total width of the always-active shared expert(s); 0 = none
  bool shared_expert_gate = false;  // Qwen-MoE's sigmoid gate on the shared expert (h x 1)
  int dense_layers = 0;             // leading layers whose MLP is dense (width ffn_hidden)
};

int kv_heads(const TransformerModel& model);   // kv_heads, or heads when 0
int head_dim(const TransformerModel& model);   // head_dim, or hidden / heads when 0
bool is_moe_layer(const TransformerModel& model, int layer);

std::int64_t attention_parameters_per_layer(const TransformerModel& model);
// The MLP of the typical block: the MoE MLP in a mixture-of-experts model, else the dense one.
std::int64_t mlp_parameters_per_layer(const TransformerModel& model);
std::int64_t mlp_parameters_of_layer(const TransformerModel& model, int layer);
std::int64_t layernorm_parameters_per_layer(const TransformerModel& model);
// The largest block (the MoE block where there is one): what a gathered layer holds.
std::int64_t parameters_per_layer(const TransformerModel& model);
std::int64_t parameters_of_layer(const TransformerModel& model, int layer);
// Parameters one token's forward multiplies through in block `layer`: the router, the
// experts_per_token routed experts and the shared expert instead of every expert.
std::int64_t active_parameters_of_layer(const TransformerModel& model, int layer);
std::int64_t embedding_parameters(const TransformerModel& model);    // token + positional tables (+ norm)
std::int64_t output_head_parameters(const TransformerModel& model);  // 0 when tied (bias aside)
std::int64_t final_norm_parameters(const TransformerModel& model);
std::int64_t parameter_count(const TransformerModel& model);
std::int64_t active_parameter_count(const TransformerModel& model);
// The learned positional table's rows (position_table, with -1 read as seq_len).
std::int64_t position_table_rows(const TransformerModel& model);

// Bytes of one parameter or gradient element in the model's precision: 2 for bf16/fp16, 4 for
// fp32. Throws InputError for an unknown precision.
int element_bytes(const TransformerModel& model);
bool known_precision(const std::string& precision);

}  // namespace shardsim
