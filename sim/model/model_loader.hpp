// Where TransformerModel values come from: our own model files (scenarios/models/NAME.json, keys
// name, layers, hidden, heads, ffn_hidden, seq_len, vocab, tied_embeddings, precision, gated_mlp,
// source, comment, and optionally kv_heads, head_dim, position_table (default seq_len rows),
// biases, norm (layernorm | rmsnorm), experts, experts_per_token, expert_ffn_hidden,
// shared_expert_ffn_hidden, dense_layers; unknown keys rejected with a suggestion) and Hugging Face
// config.json files, read per model_type with each family's key names and defaults (Llama,
// Mistral, Mixtral, Qwen2/2-MoE/3/3-MoE, Gemma/Gemma2, DeepSeek-MoE, Phi/Phi-3, Falcon, BLOOM, MPT,
// OPT, GPT-2, GPT-BigCode, GPT-J, GPT-NeoX, BERT; hf_import.cpp). Keys that change no count are
// ignored; a key whose value the count cannot follow is refused naming it. A Hugging Face
// config's context length is never taken as the training length: seq_len defaults to the smaller
// of 4096 and that length, and seq_len_source says so. The format is detected from the keys
// present. Every loaded model is validated: sizes are positive, heads divide hidden (or head_dim
// is given), KV heads divide heads, the precision is known, and the parameter, model-state (16
// bytes per parameter) and per-layer activation byte counts fit in 64 bits. Errors are
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
// Sets the training sequence length and where it came from ("--seq-len", "run.json: /seq_len"),
// then validates the model again (a learned positional table shorter than the length, activation
// byte counts that overflow); errors name `source`.
void set_seq_len(TransformerModel& model, int seq_len, const std::string& source);
// "seq_len 4096 (--seq-len)": the phrase every output prints about the length in use.
std::string seq_len_description(const TransformerModel& model);

// Names of the presets in scenarios/models/ (not its hf/ examples), sorted.
std::vector<std::string> shipped_model_names();
// $SHARDSIM_DATA_DIR when set, else the directory the build was configured with. Kept apart from
// topology's data_directory() so this layer does not depend on topology.
std::string model_data_directory();

}  // namespace shardsim
