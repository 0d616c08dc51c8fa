// import_hf_config and looks_like_hf_config (declared in model_loader.hpp).
#include "sim/input/input_error.hpp"
#include "sim/input/json_reader.hpp"
#include "sim/model/model_loader.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <climits>

namespace shardsim {
namespace {

constexpr std::int64_t kMaxSize = INT_MAX;

// HF stores the checkpoint dtype, not the training precision; it is still the best default.
std::string precision_of(const nlohmann::json& json) {
  auto it = json.find("torch_dtype");
  if (it == json.end() || !it->is_string()) return "bf16";
  const auto dtype = it->get<std::string>();
  if (dtype == "float16") return "fp16";
  if (dtype == "float32") return "fp32";
  return "bf16";
}

std::string string_or(const nlohmann::json& json, const char* key, const std::string& fallback) {
  auto it = json.find(key);
  if (it == json.end() || !it->is_string() || it->get<std::string>().empty()) return fallback;
  return it->get<std::string>();
}

// Llama-family MLPs are SwiGLU: three h x f matrices.
bool gated_model_type(const std::string& model_type) {
  return model_type == "llama" || model_type == "mistral" || model_type == "qwen2";
}

}  // namespace

bool looks_like_hf_config(const nlohmann::json& json) {
  if (!json.is_object()) return false;
  for (const char* key : {"n_embd", "n_layer", "hidden_size", "num_hidden_layers", "model_type", "architectures"})
    if (json.contains(key)) return true;
  return false;
}

TransformerModel import_hf_config(const nlohmann::json& json, const std::string& origin, const std::string& default_name) {
  // No finish(): HF configs carry dozens of keys (dropout rates, token ids, ...) we do not model.
  JsonObject o(json, origin);
  const bool gpt2_style = o.has("n_embd") || o.has("n_layer");
  ModelFieldNames f;
  if (gpt2_style) {
    f.layers = "n_layer";
    f.hidden = "n_embd";
    f.heads = "n_head";
    f.ffn_hidden = "n_inner";
    f.seq_len = o.has("n_positions") || !o.has("n_ctx") ? "n_positions" : "n_ctx";
  } else {
    f.layers = "num_hidden_layers";
    f.hidden = "hidden_size";
    f.heads = "num_attention_heads";
    f.ffn_hidden = "intermediate_size";
    f.seq_len = "max_position_embeddings";
  }
  f.vocab = "vocab_size";
  f.precision = "torch_dtype";

  TransformerModel m;
  m.name = string_or(json, "_name_or_path", default_name);
  m.layers = static_cast<int>(o.integer(f.layers, 1, kMaxSize));
  m.hidden = static_cast<int>(o.integer(f.hidden, 1, kMaxSize));
  m.heads = static_cast<int>(o.integer(f.heads, 1, kMaxSize));
  // GPT-2 writes "n_inner": null to mean the usual 4*hidden.
  const bool ffn_given = o.has(f.ffn_hidden) && !json.at(f.ffn_hidden).is_null();
  const std::int64_t ffn = ffn_given ? o.integer(f.ffn_hidden, 1, kMaxSize) : 4 * static_cast<std::int64_t>(m.hidden);
  if (ffn > kMaxSize) o.fail(f.hidden, fmt::format("4 x {} (the default {}) does not fit in an int", m.hidden, f.ffn_hidden));
  m.ffn_hidden = static_cast<int>(ffn);
  m.seq_len = static_cast<int>(o.integer(f.seq_len, 1, kMaxSize));
  m.vocab = static_cast<int>(o.integer(f.vocab, 1, kMaxSize));
  m.tied_embeddings = o.optional_boolean("tie_word_embeddings").value_or(true);  // the HF default
  m.precision = precision_of(json);
  const std::string model_type = string_or(json, "model_type", gpt2_style ? "gpt2" : "unknown");
  m.gated_mlp = gated_model_type(model_type);

  std::string notes;
  if (m.gated_mlp) notes += "; gated (SwiGLU) MLP";
  if (json.contains("num_key_value_heads") && json.at("num_key_value_heads") != json.at(f.heads))
    notes += "; grouped-query attention counted as full multi-head attention (over-counts K/V projections)";
  m.source = fmt::format("imported from Hugging Face config {} (model_type {}){}", origin, model_type, notes);
  validate_model(m, origin, f);
  return m;
}

}  // namespace shardsim
