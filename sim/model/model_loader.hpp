// Where TransformerModel values come from: our own model files (scenarios/models/NAME.json, keys
// name, layers, hidden, heads, ffn_hidden, seq_len, vocab, tied_embeddings, precision, gated_mlp,
// source, comment; unknown keys rejected with a suggestion) and Hugging Face config.json files
// (GPT-2 keys n_embd/n_layer/n_head/n_positions/n_inner, or Llama/BERT keys hidden_size/
// num_hidden_layers/num_attention_heads/intermediate_size/max_position_embeddings, plus
// vocab_size and tie_word_embeddings; every other HF key is ignored, since real configs carry
// dozens). The format is detected from the keys present. Every loaded model is validated: sizes
// are positive, heads divide hidden, the precision is known, and the parameter, model-state
// (16 bytes per parameter) and per-layer activation byte counts fit in 64 bits. Errors are
// InputError naming the file and the field as a JSON path.
#pragma once

#include "sim/model/model_validation.hpp"
#include "sim/model/transformer.hpp"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace shardsim {

// Our own format; `default_name` is used when the document has no "name".
TransformerModel model_from_json(const nlohmann::json& json, const std::string& origin, const std::string& default_name);
// A Hugging Face config.json document.
TransformerModel import_hf_config(const nlohmann::json& json, const std::string& origin, const std::string& default_name);
bool looks_like_hf_config(const nlohmann::json& json);

// Reads either format from a file, detecting which.
TransformerModel load_model_file(const std::string& path);
// A shipped preset name ("gpt3-175b", "hf/gpt2-config") or a path to a model file. An unknown name
// lists the shipped presets and the closest one.
TransformerModel load_model(const std::string& name_or_path);
// Names of the presets in scenarios/models/ (not its hf/ examples), sorted.
std::vector<std::string> shipped_model_names();
// $SHARDSIM_DATA_DIR when set, else the directory the build was configured with. Kept apart from
// topology's data_directory() so this layer does not depend on topology.
std::string model_data_directory();

}  // namespace shardsim
