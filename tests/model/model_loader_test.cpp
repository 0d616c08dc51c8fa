#include "sim/input/input_error.hpp"
#include "sim/model/model_loader.hpp"
#include "sim/model/weights.hpp"
#include "tests/support/test_data.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

using namespace shardsim;
using Catch::Contains;

namespace {

// A valid model in our format with one field replaced (or added) as `key: value`.
std::string model_json(const std::string& key = "", const std::string& value = "") {
  nlohmann::json j = {{"name", "t"}, {"layers", 2},  {"hidden", 64},          {"heads", 4},
                      {"seq_len", 128}, {"vocab", 1000}, {"precision", "bf16"}};
  if (!key.empty()) j[key] = nlohmann::json::parse(value);
  return j.dump(2);
}

}  // namespace

TEST_CASE("every shipped preset loads and validates", "[model]") {
  const auto names = shipped_model_names();
  for (const char* expected : {"bert-10b", "bert-15b", "bert-20b", "bert-50b", "gpt-100b", "gpt3-175b", "gpt2-small", "toy-1b"})
    CHECK(std::find(names.begin(), names.end(), expected) != names.end());
  for (const auto& name : names) {
    INFO(name);
    TransformerModel m;
    REQUIRE_NOTHROW(m = load_model(name));
    CHECK(m.name == name);
    CHECK(m.hidden % m.heads == 0);
    CHECK_FALSE(m.source.empty());
  }
}

TEST_CASE("gpt3-175b preset has the published shape", "[model]") {
  const auto m = load_model("gpt3-175b");
  CHECK(m.layers == 96);
  CHECK(m.hidden == 12288);
  CHECK(m.heads == 96);
  CHECK(m.ffn_hidden == 49152);
  CHECK(m.seq_len == 2048);
  CHECK(m.vocab == 50257);
  CHECK(m.tied_embeddings);
  CHECK(m.precision == "bf16");
}

TEST_CASE("a model file can be given by path, and ffn_hidden defaults to 4*hidden", "[model]") {
  test::TempFile file("mine.json", model_json());
  const auto m = load_model(file.path());
  CHECK(m.name == "t");
  CHECK(m.ffn_hidden == 256);
  CHECK(m.tied_embeddings);
  CHECK_FALSE(m.gated_mlp);
}

TEST_CASE("Hugging Face GPT-2 config imports with n_inner null meaning 4*n_embd", "[model]") {
  const auto m = load_model("hf/gpt2-config");
  CHECK(m.name == "gpt2");
  CHECK(m.layers == 12);
  CHECK(m.hidden == 768);
  CHECK(m.heads == 12);
  CHECK(m.ffn_hidden == 3072);
  CHECK(m.seq_len == 1024);
  CHECK(m.vocab == 50257);
  CHECK(m.tied_embeddings);
  CHECK_FALSE(m.gated_mlp);
  CHECK(parameter_count(m) == 124439808);
  // Same file by path.
  CHECK(load_model(test::data_path("scenarios/models/hf/gpt2-config.json")).hidden == 768);
}

TEST_CASE("Hugging Face Llama config imports with a gated MLP and untied head", "[model]") {
  const auto m = load_model("hf/llama-7b-config");
  CHECK(m.name == "meta-llama/Llama-2-7b-hf");
  CHECK(m.layers == 32);
  CHECK(m.hidden == 4096);
  CHECK(m.heads == 32);
  CHECK(m.ffn_hidden == 11008);
  CHECK(m.seq_len == 4096);
  CHECK(m.vocab == 32000);
  CHECK_FALSE(m.tied_embeddings);
  CHECK(m.gated_mlp);
  CHECK(m.precision == "fp16");
  // Llama-2-7B has 6,738,415,616 parameters; this block adds biases and a positional table.
  CHECK(std::abs(static_cast<double>(parameter_count(m)) - 6738415616.0) / 6738415616.0 < 0.005);
}

TEST_CASE("Hugging Face configs ignore keys we do not model but still validate", "[model]") {
  test::TempFile ok("config.json", R"({"model_type": "bert", "hidden_size": 768, "num_hidden_layers": 12,
    "num_attention_heads": 12, "intermediate_size": 3072, "max_position_embeddings": 512,
    "vocab_size": 30522, "hidden_dropout_prob": 0.1, "type_vocab_size": 2})");
  const auto bert = load_model(ok.path());
  CHECK(bert.layers == 12);
  CHECK(bert.seq_len == 512);
  CHECK(bert.tied_embeddings);
  CHECK_FALSE(bert.fused_qkv);  // BertSelfAttention's separate query, key and value nn.Linear

  test::TempFile bad_heads("config.json", R"({"hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 7,
    "intermediate_size": 3072, "max_position_embeddings": 512, "vocab_size": 30522})");
  CHECK_THROWS_WITH(load_model(bad_heads.path()), Contains(bad_heads.path()) && Contains("/num_attention_heads") &&
                                                      Contains("do not divide hidden size 768"));

  test::TempFile missing("config.json", R"({"n_embd": 768, "n_layer": 12, "n_positions": 1024, "vocab_size": 50257})");
  CHECK_THROWS_WITH(load_model(missing.path()), Contains(missing.path()) && Contains("/n_head") && Contains("missing"));
}

TEST_CASE("a model file says whether its Q, K and V are one weight or three", "[model]") {
  // The layout sets the tensors a per-parameter framework gathers one by one (weights.hpp), not the count.
  const auto separate = load_model(test::data_path("scenarios/models/roberta-10b.json"));
  CHECK_FALSE(separate.fused_qkv);
  TransformerModel fused = separate;
  fused.fused_qkv = true;
  CHECK(parameter_count(fused) == parameter_count(separate));
  std::vector<std::string> names;
  for (const WeightTensor& w : block_weights(separate, 0)) names.push_back(w.name);
  CHECK(std::find(names.begin(), names.end(), "attention.q.weight") != names.end());
  CHECK(std::find(names.begin(), names.end(), "attention.qkv.weight") == names.end());
  CHECK(load_model("bert-10b").fused_qkv);  // the default: one QKV weight
}

TEST_CASE("bad model files throw InputError naming the file and field", "[model]") {
  SECTION("unknown key, with a suggestion") {
    test::TempFile f("m.json", model_json("tied_embedding", "false"));
    CHECK_THROWS_WITH(load_model(f.path()), Contains(f.path()) && Contains("/tied_embedding") &&
                                                Contains("did you mean 'tied_embeddings'"));
  }
  SECTION("negative layers") {
    test::TempFile f("m.json", model_json("layers", "-2"));
    CHECK_THROWS_WITH(load_model(f.path()), Contains(f.path()) && Contains("/layers") && Contains("-2"));
  }
  SECTION("non-integer hidden") {
    test::TempFile f("m.json", model_json("hidden", "64.5"));
    CHECK_THROWS_WITH(load_model(f.path()), Contains(f.path()) && Contains("/hidden") && Contains("integer"));
  }
  SECTION("heads not dividing hidden") {
    test::TempFile f("m.json", model_json("heads", "5"));
    CHECK_THROWS_WITH(load_model(f.path()), Contains(f.path()) && Contains("/heads") && Contains("do not divide hidden size 64"));
  }
  SECTION("unknown precision") {
    test::TempFile f("m.json", model_json("precision", "\"bf61\""));
    CHECK_THROWS_WITH(load_model(f.path()), Contains(f.path()) && Contains("/precision") && Contains("did you mean 'bf16'"));
  }
  SECTION("sizes whose byte counts overflow 64 bits") {
    nlohmann::json j = nlohmann::json::parse(model_json());
    j["layers"] = 2000000000;
    j["hidden"] = 2000000000;
    j["heads"] = 1;
    j["ffn_hidden"] = 2000000000;
    test::TempFile f("m.json", j.dump());
    CHECK_THROWS_WITH(load_model(f.path()), Contains(f.path()) && Contains("/hidden") && Contains("64-bit"));
  }
  SECTION("missing required field") {
    nlohmann::json j = nlohmann::json::parse(model_json());
    j.erase("vocab");
    test::TempFile f("m.json", j.dump());
    CHECK_THROWS_WITH(load_model(f.path()), Contains(f.path()) && Contains("/vocab") && Contains("missing"));
  }
  SECTION("missing file") {
    CHECK_THROWS_WITH(load_model("/nonexistent/model.json"), Contains("/nonexistent/model.json") && Contains("no such file"));
  }
  SECTION("malformed JSON") {
    test::TempFile f("m.json", "{\"layers\": 2,");
    CHECK_THROWS_WITH(load_model(f.path()), Contains(f.path()) && Contains("malformed"));
  }
}

TEST_CASE("an unknown preset name lists the shipped ones and the closest", "[model]") {
  CHECK_THROWS_WITH(load_model("gpt3-17b"), Contains("unknown model 'gpt3-17b'") && Contains("bert-10b") &&
                                                Contains("did you mean 'gpt3-175b'"));
  CHECK_THROWS_AS(load_model(""), InputError);
}

TEST_CASE("validate_model checks models built in code", "[model]") {
  TransformerModel m;
  m.name = "in-code";
  m.layers = 2;
  m.hidden = 64;
  m.heads = 4;
  m.ffn_hidden = 256;
  m.seq_len = 128;
  m.vocab = 1000;
  CHECK_NOTHROW(validate_model(m, "in-code"));
  m.layers = 0;
  CHECK_THROWS_WITH(validate_model(m, "in-code"), Contains("in-code: /layers"));
}
