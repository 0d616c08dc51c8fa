// Our own model format, file loading with format detection, and preset lookup by name.
#include "sim/model/model_loader.hpp"

#include "sim/input/input_error.hpp"
#include "sim/input/json_reader.hpp"
#include "sim/input/json_schema.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <filesystem>

namespace shardsim {
namespace {

constexpr std::int64_t kMaxSize = INT_MAX;

std::string models_directory() { return model_data_directory() + "/scenarios/models"; }

}  // namespace

TransformerModel model_from_json(const nlohmann::json& json, const std::string& origin, const std::string& default_name) {
  JsonObject o(json, origin);
  TransformerModel m;
  m.name = o.optional_string("name").value_or(default_name);
  m.layers = static_cast<int>(o.integer("layers", 1, kMaxSize));
  m.hidden = static_cast<int>(o.integer("hidden", 1, kMaxSize));
  m.heads = static_cast<int>(o.integer("heads", 1, kMaxSize));
  const std::int64_t ffn = o.optional_integer("ffn_hidden", 1, kMaxSize).value_or(4 * static_cast<std::int64_t>(m.hidden));
  if (ffn > kMaxSize) o.fail("hidden", fmt::format("4 x {} (the default ffn_hidden) does not fit in an int", m.hidden));
  m.ffn_hidden = static_cast<int>(ffn);
  m.seq_len = static_cast<int>(o.integer("seq_len", 1, kMaxSize));
  m.vocab = static_cast<int>(o.integer("vocab", 1, kMaxSize));
  m.tied_embeddings = o.optional_boolean("tied_embeddings").value_or(true);
  m.seq_len_source = fmt::format("the model file's seq_len, {}", origin);
  m.gated_mlp = o.optional_boolean("gated_mlp").value_or(false);
  // The extensions of transformer.hpp; each defaults to the GPT/BERT block.
  auto optional_int = [&](const char* key, int min) { return static_cast<int>(o.optional_integer(key, min, kMaxSize).value_or(0)); };
  m.kv_heads = optional_int("kv_heads", 1);
  m.head_dim = optional_int("head_dim", 1);
  m.position_table = static_cast<int>(o.optional_integer("position_table", 0, kMaxSize).value_or(m.seq_len));
  if (auto biases = o.optional_boolean("biases")) m.qkv_bias = m.out_bias = m.mlp_bias = *biases;
  if (auto qkv = o.optional_string("qkv")) {
    if (*qkv != "fused" && *qkv != "separate") o.fail("qkv", fmt::format("expected fused or separate, found '{}'", *qkv));
    m.fused_qkv = *qkv == "fused";
  }
  if (auto norm = o.optional_string("norm")) {
    if (*norm != "layernorm" && *norm != "rmsnorm") o.fail("norm", fmt::format("expected layernorm or rmsnorm, found '{}'", *norm));
    m.norm_bias = *norm == "layernorm";
  }
  m.experts = optional_int("experts", 1);
  m.experts_per_token = optional_int("experts_per_token", 1);
  m.expert_ffn_hidden = optional_int("expert_ffn_hidden", 1);
  m.shared_expert_ffn_hidden = optional_int("shared_expert_ffn_hidden", 1);
  m.dense_layers = static_cast<int>(o.optional_integer("dense_layers", 0, kMaxSize).value_or(0));
  m.precision = o.optional_string("precision").value_or("bf16");
  if (!known_precision(m.precision)) {
    const std::string hint = closest_word(m.precision, {"bf16", "fp16", "fp32"});
    o.fail("precision", fmt::format("unknown precision '{}' (expected bf16, fp16 or fp32{})", m.precision,
                                    hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint)));
  }
  m.source = o.optional_string("source").value_or("");
  o.ignore("comment");
  o.finish();
  validate_model(m, origin);
  return m;
}

TransformerModel load_model_file(const std::string& path) {
  const nlohmann::json json = load_json_file(path);
  const std::string stem = std::filesystem::path(path).stem().string();
  // Our format always has "layers"; HF never does, so that key settles ambiguous files.
  if (!json.contains("layers") && looks_like_hf_config(json)) return import_hf_config(json, path, stem);
  // The format's one definition is the scenario schema's $defs/model (inline models use it too).
  const nlohmann::json& schema = load_json_schema(model_data_directory() + "/schemas/scenario.schema.json");
  validate_json_schema(json, schema.at("$defs").at("model"), path);
  return model_from_json(json, path, stem);
}

void set_seq_len(TransformerModel& model, int seq_len, const std::string& source) {
  model.seq_len = seq_len;
  model.seq_len_source = source;
  ModelFieldNames fields;
  fields.seq_len = "seq_len";
  try {
    validate_model(model, source, fields);
  } catch (const InputError& e) {
    // "--seq-len: /seq_len: ..." reads badly for a flag: name the flag alone.
    const std::string text = e.what();
    const std::string prefix = source + ": /seq_len: ";
    if (source.starts_with("--") && text.starts_with(prefix)) throw InputError(source + ": " + text.substr(prefix.size()));
    throw;
  }
}

std::string seq_len_description(const TransformerModel& model) {
  return fmt::format("seq_len {} ({})", model.seq_len, model.seq_len_source.empty() ? "set in code" : model.seq_len_source);
}

std::string model_data_directory() {
  if (const char* env = std::getenv("SHARDSIM_DATA_DIR"); env && *env) return env;
  return SHARDSIM_DATA_DIR;
}

std::vector<std::string> shipped_model_names() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(models_directory(), ec))
    if (entry.is_regular_file(ec) && entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

TransformerModel load_model(const std::string& name_or_path) {
  if (name_or_path.empty()) throw InputError("model: expected a preset name or a path, found an empty string");
  const std::string shipped = models_directory() + "/" + name_or_path + ".json";
  std::error_code ec;
  if (std::filesystem::is_regular_file(shipped, ec)) return load_model_file(shipped);
  if (name_or_path.find('/') != std::string::npos || name_or_path.ends_with(".json")) return load_model_file(name_or_path);
  const auto names = shipped_model_names();
  const std::string hint = closest_word(name_or_path, names);
  throw InputError(fmt::format("unknown model '{}' (shipped in {}: {}){}", name_or_path, models_directory(),
                               fmt::join(names, ", "), hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint)));
}

}  // namespace shardsim
