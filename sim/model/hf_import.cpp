// import_hf_config and looks_like_hf_config (declared in model_loader.hpp): a Hugging Face
// config.json read the way transformers builds the model, family by family (model_type), with each
// family's own key names and defaults. A key that changes the parameter count in a way
// TransformerModel cannot express is refused with one line naming it.
#include "sim/input/input_error.hpp"
#include "sim/input/json_reader.hpp"
#include "sim/model/model_loader.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <climits>
#include <initializer_list>
#include <optional>

namespace shardsim {
namespace {

constexpr std::int64_t kMaxSize = INT_MAX;
// The training length used when neither the scenario nor --seq-len gives one, capped by the
// model's context length; every output states it (TransformerModel::seq_len_source).
constexpr int kDefaultSeqLen = 4096;

// Null-as-absent access to one config (HF writes "n_inner": null for "the default"), with the
// key each TransformerModel field came from recorded for validation messages.
class Config {
 public:
  Config(const nlohmann::json& json, const std::string& origin) : json_(json), o_(json, origin), origin_(origin) {}
  const std::string& origin() const { return origin_; }
  bool has(const char* key) const { return json_.contains(key) && !json_.at(key).is_null(); }
  // The first of `keys` present, or the first key (for the "missing" message) when none is.
  const char* pick(std::initializer_list<const char*> keys) const {
    for (const char* k : keys)
      if (has(k)) return k;
    return *keys.begin();
  }
  int integer(const char* key) { return static_cast<int>(o_.integer(key, 1, kMaxSize)); }
  std::optional<int> optional_integer(const char* key, int min = 1) {
    if (!has(key)) return std::nullopt;
    return static_cast<int>(o_.integer(key, min, kMaxSize));
  }
  bool boolean(const char* key, bool fallback) { return has(key) ? o_.boolean(key) : fallback; }
  std::string string(const char* key, const std::string& fallback) const {
    auto it = json_.find(key);
    if (it == json_.end() || !it->is_string() || it->get<std::string>().empty()) return fallback;
    return it->get<std::string>();
  }
  const nlohmann::json& at(const char* key) const { return json_.at(key); }
  [[noreturn]] void refuse(const std::string& key, const std::string& message) const { o_.fail(key, message); }

 private:
  const nlohmann::json& json_;
  JsonObject o_;
  std::string origin_;
};

// What the importer read besides the shape: the key of the context length, for seq_len's note.
struct Read {
  ModelFieldNames fields;
  std::string context_key;   // "max_position_embeddings", "n_positions", ... or "" when the config has none
  int context = 0;
  std::string notes;
};

// The Llama lineage: gated MLP, RMSNorm, rotary positions, separate q/k/v, no biases unless said.
bool llama_like(const std::string& t) {
  for (const char* k : {"llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "gemma", "gemma2", "deepseek", "phi3"})
    if (t == k) return true;
  return false;
}

const std::vector<std::string>& known_model_types() {
  static const std::vector<std::string> types{"bert", "bloom", "deepseek", "falcon", "gemma", "gemma2", "gpt2", "gpt_bigcode", "gpt_neox",
                                              "gptj", "llama", "mistral", "mixtral", "mpt", "opt", "phi", "phi3", "qwen2", "qwen2_moe",
                                              "qwen3", "qwen3_moe", "roberta"};
  return types;
}

// model_type, or the one implied by "architectures" ("LlamaForCausalLM" -> "llama"), or "gpt2"
// for the GPT-2 key set, or "" for a bare config with BERT/Llama key names.
std::string model_type_of(const Config& c) {
  std::string t = c.string("model_type", "");
  if (t == "RefinedWeb" || t == "RefinedWebModel") return "falcon";  // Falcon's original remote-code names
  if (!t.empty()) return t;
  if (c.has("architectures") && c.at("architectures").is_array() && !c.at("architectures").empty() &&
      c.at("architectures")[0].is_string()) {
    std::string a = c.at("architectures")[0].get<std::string>();
    for (const char* suffix : {"ForCausalLM", "LMHeadModel", "Model"})
      if (a.ends_with(suffix)) { a.resize(a.size() - std::string_view(suffix).size()); break; }
    std::transform(a.begin(), a.end(), a.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    for (const auto& k : known_model_types())
      if (k == a) return k;
  }
  return c.has("n_embd") || c.has("n_layer") ? "gpt2" : "";
}

void read_context(Config& c, Read& r, std::initializer_list<const char*> keys) {
  for (const char* k : keys)
    if (c.has(k)) {
      r.context_key = k;
      r.context = c.integer(k);
      return;
    }
}

// The GPT-2 key set: n_embd, n_layer, n_head, n_inner (null = 4h), n_positions (or n_ctx).
void read_gpt2_keys(Config& c, TransformerModel& m, Read& r) {
  r.fields.layers = "n_layer";
  r.fields.hidden = "n_embd";
  r.fields.heads = "n_head";
  r.fields.ffn_hidden = "n_inner";
  m.layers = c.integer("n_layer");
  m.hidden = c.integer("n_embd");
  m.heads = c.integer("n_head");
  m.ffn_hidden = c.optional_integer("n_inner").value_or(0);
  read_context(c, r, {"n_positions", "n_ctx"});
  r.fields.seq_len = r.context_key.empty() ? "n_positions" : r.context_key;
}

// The BERT/Llama key set, with alternatives where a family renames a key.
void read_common_keys(Config& c, TransformerModel& m, Read& r, const char* ffn_key = "intermediate_size") {
  r.fields.layers = c.pick({"num_hidden_layers", "n_layer"});
  r.fields.hidden = c.pick({"hidden_size", "n_embed"});
  r.fields.heads = c.pick({"num_attention_heads", "n_head"});
  r.fields.ffn_hidden = ffn_key;
  m.layers = c.integer(r.fields.layers.c_str());
  m.hidden = c.integer(r.fields.hidden.c_str());
  m.heads = c.integer(r.fields.heads.c_str());
  m.ffn_hidden = c.optional_integer(ffn_key).value_or(0);
  read_context(c, r, {"max_position_embeddings"});
}

void rotary_rmsnorm_no_bias(TransformerModel& m) {
  m.position_table = 0;
  m.norm_bias = false;
  m.qkv_bias = m.out_bias = m.mlp_bias = false;
  m.fused_qkv = false;
}

// A key whose non-default value the family's count below does not follow.
void refuse_unless(const Config& c, const char* key, bool ok, const std::string& why) {
  if (!ok) c.refuse(key, why + " is not modelled (shardsim counts the standard layout)");
}

void read_moe(Config& c, TransformerModel& m, const std::string& t) {
  if (t == "mixtral") {
    m.experts = c.optional_integer("num_local_experts").value_or(8);
    m.experts_per_token = c.optional_integer("num_experts_per_tok").value_or(2);
  } else if (t == "qwen2_moe" || t == "qwen3_moe") {
    m.experts = c.integer("num_experts");
    m.experts_per_token = c.integer("num_experts_per_tok");
    m.expert_ffn_hidden = c.integer("moe_intermediate_size");
    if (t == "qwen2_moe") {
      m.shared_expert_ffn_hidden = c.optional_integer("shared_expert_intermediate_size", 0).value_or(0);
      m.shared_expert_gate = m.shared_expert_ffn_hidden > 0;
    }
    refuse_unless(c, "decoder_sparse_step", c.optional_integer("decoder_sparse_step").value_or(1) == 1,
                  "an MoE block every decoder_sparse_step > 1 layers");
    refuse_unless(c, "mlp_only_layers", !c.has("mlp_only_layers") || (c.at("mlp_only_layers").is_array() && c.at("mlp_only_layers").empty()),
                  "dense mlp_only_layers");
  } else if (t == "deepseek") {
    refuse_unless(c, "kv_lora_rank", !c.has("kv_lora_rank") && !c.has("q_lora_rank"), "multi-head latent attention");
    if (!c.has("n_routed_experts")) return;  // a dense DeepSeek LLM
    m.experts = c.integer("n_routed_experts");
    m.experts_per_token = c.integer("num_experts_per_tok");
    m.expert_ffn_hidden = c.integer("moe_intermediate_size");
    const std::int64_t shared = static_cast<std::int64_t>(c.optional_integer("n_shared_experts", 0).value_or(0)) * m.expert_ffn_hidden;
    if (shared > kMaxSize) c.refuse("n_shared_experts", "n_shared_experts x moe_intermediate_size does not fit in an int");
    m.shared_expert_ffn_hidden = static_cast<int>(shared);
    m.dense_layers = c.optional_integer("first_k_dense_replace", 0).value_or(0);
    refuse_unless(c, "moe_layer_freq", c.optional_integer("moe_layer_freq").value_or(1) == 1, "an MoE block every moe_layer_freq > 1 layers");
  }
}

void read_llama_like(Config& c, TransformerModel& m, Read& r, const std::string& t) {
  read_common_keys(c, m, r);
  rotary_rmsnorm_no_bias(m);
  m.gated_mlp = true;
  m.kv_heads = c.optional_integer("num_key_value_heads").value_or(0);
  m.head_dim = c.optional_integer("head_dim").value_or(0);
  const bool qwen2 = t == "qwen2" || t == "qwen2_moe";  // q, k, v always have biases; o never
  const bool attention_bias = c.boolean("attention_bias", false);
  m.qkv_bias = qwen2 || attention_bias;
  m.out_bias = !qwen2 && attention_bias;
  m.mlp_bias = c.boolean("mlp_bias", false);
  m.qk_norm = t == "qwen3" || t == "qwen3_moe";
  m.fused_qkv = t == "phi3";
  if (t == "gemma2") m.norms_per_block = 4;  // pre and post norms around both attention and MLP
  m.tied_embeddings = c.boolean("tie_word_embeddings", t == "gemma" || t == "gemma2");
  read_moe(c, m, t);
  if (m.experts > 0) r.notes += fmt::format("; {} routed experts, {} per token", m.experts, m.experts_per_token);
  if (m.shared_expert_ffn_hidden > 0) r.notes += fmt::format(", shared expert width {}", m.shared_expert_ffn_hidden);
}

void read_falcon(Config& c, TransformerModel& m, Read& r) {
  read_common_keys(c, m, r, "ffn_hidden_size");
  const bool new_arch = c.boolean("new_decoder_architecture", false);
  if (new_arch) m.kv_heads = c.optional_integer(c.pick({"num_kv_heads", "n_head_kv"})).value_or(0);
  else if (c.boolean("multi_query", true)) m.kv_heads = 1;
  const bool bias = c.boolean("bias", false);
  m.qkv_bias = m.out_bias = m.mlp_bias = bias;
  m.position_table = 0;  // rotary, or ALiBi when "alibi"
  m.norms_per_block = new_arch ? c.optional_integer("num_ln_in_parallel_attn").value_or(2) : c.boolean("parallel_attn", true) ? 1 : 2;
  m.tied_embeddings = c.boolean("tie_word_embeddings", true);
}

void read_mpt(Config& c, TransformerModel& m, Read& r) {
  r.fields = {"n_layers", "d_model", "n_heads", "expansion_ratio", "max_seq_len", "vocab_size", "torch_dtype"};
  m.layers = c.integer("n_layers");
  m.hidden = c.integer("d_model");
  m.heads = c.integer("n_heads");
  const std::int64_t ffn = static_cast<std::int64_t>(c.optional_integer("expansion_ratio").value_or(4)) * m.hidden;
  if (ffn > kMaxSize) c.refuse("expansion_ratio", "expansion_ratio x d_model does not fit in an int");
  m.ffn_hidden = static_cast<int>(ffn);
  read_context(c, r, {"max_seq_len"});
  const bool no_bias = c.boolean("no_bias", false);
  m.qkv_bias = m.out_bias = m.mlp_bias = m.norm_bias = !no_bias;
  bool alibi = false;
  if (c.has("attn_config")) {
    Config a(c.at("attn_config"), c.origin() + ": /attn_config");
    if (!c.at("attn_config").is_object()) c.refuse("attn_config", "expected an object");
    alibi = a.boolean("alibi", false);
    const std::string type = a.string("attn_type", "multihead_attention");
    if (type == "grouped_query_attention") m.kv_heads = a.optional_integer("kv_n_heads").value_or(1);
    else if (type == "multiquery_attention") m.kv_heads = 1;
    else refuse_unless(c, "attn_config", type == "multihead_attention", fmt::format("attn_type '{}'", type));
  }
  if (c.has("ffn_config") && c.at("ffn_config").is_object())
    refuse_unless(c, "ffn_config", Config(c.at("ffn_config"), c.origin()).string("ffn_type", "mptmlp") == "mptmlp",
                  "an ffn_type other than mptmlp");
  m.position_table = !alibi && c.boolean("learned_pos_emb", true) ? r.context : 0;
  m.tied_embeddings = true;  // MPT's output projection is its token embedding
}

void read_opt(Config& c, TransformerModel& m, Read& r) {
  read_common_keys(c, m, r, "ffn_dim");
  refuse_unless(c, "word_embed_proj_dim", c.optional_integer("word_embed_proj_dim").value_or(m.hidden) == m.hidden,
                "a word_embed_proj_dim other than hidden_size (projections in and out)");
  refuse_unless(c, "do_layer_norm_before", c.boolean("do_layer_norm_before", true), "post-norm OPT (no final layer norm)");
  m.fused_qkv = false;
  m.qkv_bias = m.out_bias = m.mlp_bias = c.boolean("enable_bias", true);
  if (r.context > kMaxSize - 2) c.refuse("max_position_embeddings", "too large for OPT's table of max_position_embeddings + 2 rows");
  m.position_table = r.context + 2;  // OPT's learned positions are offset by 2 rows
  m.tied_embeddings = c.boolean("tie_word_embeddings", true);
}

void read_family(Config& c, TransformerModel& m, Read& r, const std::string& t) {
  if (llama_like(t)) return read_llama_like(c, m, r, t);
  if (t == "falcon") return read_falcon(c, m, r);
  if (t == "mpt") return read_mpt(c, m, r);
  if (t == "opt") return read_opt(c, m, r);
  if (t == "gpt2" || t == "gpt_bigcode") {
    read_gpt2_keys(c, m, r);
    m.position_table = r.context;
    if (t == "gpt_bigcode" && c.boolean("multi_query", true)) m.kv_heads = 1;
    m.tied_embeddings = c.boolean("tie_word_embeddings", true);
    return;
  }
  if (t == "gptj") {
    read_gpt2_keys(c, m, r);
    m.position_table = 0;  // rotary
    m.fused_qkv = false;
    m.qkv_bias = m.out_bias = false;
    m.norms_per_block = 1;  // one ln_1 before the parallel attention and MLP
    m.head_bias = true;
    m.tied_embeddings = c.boolean("tie_word_embeddings", false);
    return;
  }
  if (t == "bloom") {
    read_common_keys(c, m, r);
    m.position_table = 0;  // ALiBi
    m.embedding_norm = true;
    m.tied_embeddings = c.boolean("tie_word_embeddings", true);
    return;
  }
  if (t == "gpt_neox") {
    read_common_keys(c, m, r);
    m.position_table = 0;  // rotary
    m.qkv_bias = m.out_bias = c.boolean("attention_bias", true);
    m.tied_embeddings = c.boolean("tie_word_embeddings", false);
    return;
  }
  if (t == "phi") {
    read_common_keys(c, m, r);
    refuse_unless(c, "qk_layernorm", !c.boolean("qk_layernorm", false), "qk_layernorm");
    m.kv_heads = c.optional_integer("num_key_value_heads").value_or(0);
    m.position_table = 0;  // partial rotary
    m.fused_qkv = false;
    m.norms_per_block = 1;
    m.head_bias = true;
    m.tied_embeddings = c.boolean("tie_word_embeddings", false);
    return;
  }
  if (t == "bert" || t == "roberta" || t.empty()) {
    read_common_keys(c, m, r);
    m.fused_qkv = t.empty();  // BertSelfAttention: separate query, key and value nn.Linear
    m.position_table = r.context;
    m.tied_embeddings = c.boolean("tie_word_embeddings", true);
    r.notes += "; counted as the GPT/BERT block (token-type table, pooler and MLM head not counted)";
    return;
  }
  const std::string hint = closest_word(t, known_model_types());
  c.refuse("model_type", fmt::format("'{}' is not an architecture shardsim models (it reads {}){}", t, fmt::join(known_model_types(), ", "),
                                     hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint)));
}

// Expert keys left unread mean a mixture-of-experts model counted as dense: refuse instead.
void refuse_unread_experts(const Config& c, const TransformerModel& m) {
  if (m.experts > 0) return;
  for (const char* key : {"num_local_experts", "num_experts", "n_routed_experts", "moe_num_experts", "kv_lora_rank"})
    if (c.has(key) && !(c.at(key).is_number() && c.at(key).get<double>() <= 1))
      c.refuse(key, "a mixture-of-experts or latent-attention layout this model_type does not have in shardsim is not modelled");
}

// HF stores the checkpoint dtype, not the training precision; it is still the best default.
std::string precision_of(const Config& c) {
  const std::string dtype = c.string("torch_dtype", c.string("dtype", ""));
  if (dtype == "float16") return "fp16";
  if (dtype == "float32") return "fp32";
  return "bf16";
}

}  // namespace

bool looks_like_hf_config(const nlohmann::json& json) {
  if (!json.is_object()) return false;
  for (const char* key : {"n_embd", "n_layer", "d_model", "hidden_size", "num_hidden_layers", "model_type", "architectures"})
    if (json.contains(key)) return true;
  return false;
}

TransformerModel import_hf_config(const nlohmann::json& json, const std::string& origin, const std::string& default_name) {
  // No finish(): HF configs carry dozens of keys (dropout rates, token ids, ...) that change no count.
  Config c(json, origin);
  const std::string model_type = model_type_of(c);
  TransformerModel m;
  m.name = c.string("_name_or_path", default_name);
  Read r;
  read_family(c, m, r, model_type);
  refuse_unread_experts(c, m);
  if (m.ffn_hidden == 0) {
    if (4 * static_cast<std::int64_t>(m.hidden) > kMaxSize)
      c.refuse(r.fields.hidden, fmt::format("4 x {} (the default {}) does not fit in an int", m.hidden, r.fields.ffn_hidden));
    m.ffn_hidden = 4 * m.hidden;
  }
  m.vocab = c.integer("vocab_size");
  m.precision = precision_of(c);
  r.fields.vocab = "vocab_size";
  r.fields.precision = "torch_dtype";

  // The training length is the user's choice; until they make it, a stated default.
  m.seq_len = r.context > 0 ? std::min(r.context, kDefaultSeqLen) : kDefaultSeqLen;
  m.seq_len_source = r.context > 0 ? fmt::format("default: the smaller of {} and the config's {} {}; set seq_len or --seq-len",
                                                 kDefaultSeqLen, r.context_key, r.context)
                                   : fmt::format("default {} (the config gives no context length); set seq_len or --seq-len", kDefaultSeqLen);
  r.fields.seq_len = "seq_len";  // a training choice now, not a config key

  std::string shape;
  if (m.gated_mlp) shape += "; gated MLP";
  if (m.kv_heads == 1) shape += "; multi-query attention";
  else if (m.kv_heads > 0 && m.kv_heads != m.heads) shape += fmt::format("; grouped-query attention ({} KV heads)", m.kv_heads);
  if (m.position_table == 0) shape += "; no positional table";
  m.source = fmt::format("imported from Hugging Face config {} (model_type {}){}{}", origin, model_type.empty() ? "none" : model_type,
                         shape, r.notes);
  validate_model(m, origin, r.fields);
  return m;
}

}  // namespace shardsim
