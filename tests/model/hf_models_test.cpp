// The shipped Hugging Face configs (scenarios/models/hf/) against their published parameter
// counts: each within 0.5%, most exact. Sources are in scenarios/models/hf/README.md.
#include "sim/input/input_error.hpp"
#include "sim/model/flops.hpp"
#include "sim/model/model_loader.hpp"
#include "sim/model/weights.hpp"
#include "tests/support/test_data.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <numeric>

using namespace shardsim;
using Catch::Contains;

namespace {

struct Published {
  const char* file;       // scenarios/models/hf/FILE.json
  double parameters;      // the published total
  double active = 0;      // the published active count of a mixture-of-experts model
};

// Figures as the model cards or papers state them (README.md there gives each source).
const Published kPublished[] = {
    {"llama-2-7b", 6738415616},           // HF safetensors total (Touvron et al. 2023: 6.7B)
    {"llama-2-70b", 68976648192},         // HF safetensors total (68.98e9)
    {"llama-3-8b", 8030261248},           // HF safetensors total (8.03e9)
    {"mistral-7b", 7241732096},           // HF safetensors total (7.24e9)
    {"mixtral-8x7b", 46702792704, 12.9e9},  // HF total 46.7e9; Mistral AI: 12.9B active per token
    {"qwen2.5-72b", 72.7e9},              // Qwen2.5 model card: 72.7B
    {"qwen1.5-moe-a2.7b", 14.3e9, 2.7e9},  // Qwen1.5-MoE card: 14.3B total, 2.7B activated
    {"deepseek-moe-16b", 16.4e9, 2.8e9},   // DeepSeekMoE paper: 16.4B total, 2.8B activated
    {"gemma-7b", 8.54e9},                 // Gemma report: 8.54B (7.75B non-embedding)
    {"falcon-7b", 6.92e9},                // hub count 7.22e9 less the stored copy of the tied lm_head (0.295e9)
    {"falcon-40b", 41.30e9},              // hub count 41.84e9 less the stored copy of the tied lm_head (0.533e9)
    {"bloom-176b", 176247271424},         // BLOOM paper (Le Scao et al. 2022): 176,247,271,424
    {"mpt-7b", 6.65e9},                   // HF safetensors total (6.65e9)
    {"opt-66b", 65.7e9},                  // HF safetensors total (65.7e9)
    {"gpt-neox-20b", 20554567680},        // Black et al. 2022: 20,554,567,680
    {"gpt-j-6b", 6053381344},             // GPT-J model card: 6,053,381,344
    {"phi-2", 2.78e9},                    // HF safetensors total (2.78e9)
    {"starcoder", 15.5e9},                // StarCoder paper: 15.5B
    {"llama-3-70b", 70553706496},         // HF safetensors total (70.55e9)
    {"qwen3-8b", 8.2e9},                  // Qwen3-8B model card: 8.2B
    {"qwen3-30b-a3b", 30.5e9, 3.3e9},     // Qwen3-30B-A3B model card: 30.5B total, 3.3B activated
    {"gemma-2-9b", 9241705984},           // HF safetensors total (9.24e9)
    {"phi-3-mini-4k", 3.82e9},            // HF safetensors total (3.82e9); Abdin et al. 2024: 3.8B
};

std::int64_t sum(const std::vector<WeightTensor>& w) {
  return std::accumulate(w.begin(), w.end(), std::int64_t{0}, [](std::int64_t s, const WeightTensor& t) { return s + t.elements; });
}

}  // namespace

TEST_CASE("shipped Hugging Face configs match their published parameter counts within 0.5%", "[model][hf]") {
  for (const auto& p : kPublished) {
    INFO(p.file);
    const TransformerModel m = load_model(std::string("hf/") + p.file);
    const double total = static_cast<double>(parameter_count(m));
    CHECK(std::abs(total - p.parameters) / p.parameters < 0.005);
    if (p.active > 0) CHECK(std::abs(static_cast<double>(active_parameter_count(m)) - p.active) / p.active < 0.05);
    else CHECK(active_parameter_count(m) == parameter_count(m));
    // The per-tensor list adds up to the same total, layer by layer.
    std::int64_t listed = sum(embedding_weights(m)) + sum(head_weights(m));
    for (int l = 0; l < m.layers; ++l) listed += sum(block_weights(m, l));
    CHECK(listed == parameter_count(m));
    // The training length is a stated choice, never silently the context length.
    CHECK(m.seq_len <= 4096);
    CHECK_THAT(m.seq_len_source, Contains("set seq_len or --seq-len"));
  }
}

TEST_CASE("exact counts of the architectures' distinguishing parts", "[model][hf]") {
  SECTION("Llama-2-70B: grouped-query attention, 8 KV heads of 128") {
    const auto m = load_model("hf/llama-2-70b");
    CHECK(kv_heads(m) == 8);
    CHECK(attention_parameters_per_layer(m) == 2 * 8192LL * 8192 + 2 * 8192LL * 1024);
    CHECK(parameter_count(m) == 68976648192);
    const auto w = block_weights(m);
    CHECK(w[1].name == "attention.q.weight");
    CHECK(w[2].name == "attention.k.weight");
    CHECK(w[2].elements == 8192LL * 1024);
  }
  SECTION("Mixtral: 8 experts, 2 active; a router per layer") {
    const auto m = load_model("hf/mixtral-8x7b");
    CHECK(m.experts == 8);
    CHECK(m.experts_per_token == 2);
    CHECK(parameter_count(m) == 46702792704);
    CHECK(active_parameter_count(m) == 12879925248);
    const auto w = block_weights(m);
    CHECK(std::count_if(w.begin(), w.end(), [](const WeightTensor& t) { return t.name == "mlp.router.weight"; }) == 1);
    CHECK(std::count_if(w.begin(), w.end(), [](const WeightTensor& t) { return t.name.starts_with("mlp.experts.7."); }) == 3);
    // FLOPs follow the active parameters: 6 x 12.9e9, not 6 x 46.7e9.
    CHECK(model_flops_per_token(m) == 6.0 * 12879925248);
  }
  SECTION("Gemma-7B: head_dim 256 apart from hidden/heads") {
    const auto m = load_model("hf/gemma-7b");
    CHECK(head_dim(m) == 256);
    CHECK(parameter_count(m) == 8537680896);
  }
  SECTION("DeepSeek-MoE: the first layer dense, shared experts") {
    const auto m = load_model("hf/deepseek-moe-16b");
    CHECK(m.dense_layers == 1);
    CHECK(parameters_of_layer(m, 0) < parameters_of_layer(m, 1));
    CHECK(parameters_per_layer(m) == parameters_of_layer(m, 1));
    CHECK(parameter_count(m) == 16375728128);
  }
  SECTION("BLOOM: ALiBi (no positional table) and the embedding layernorm") {
    const auto m = load_model("hf/bloom-176b");
    CHECK(position_table_rows(m) == 0);
    CHECK(m.embedding_norm);
    CHECK(parameter_count(m) == 176247271424);
  }
  SECTION("OPT: the learned table has max_position_embeddings + 2 rows") {
    const auto m = load_model("hf/opt-66b");
    CHECK(position_table_rows(m) == 2050);
  }
}

TEST_CASE("Hugging Face architectures that cannot be modelled are refused naming the key", "[model][hf]") {
  SECTION("an unknown model_type") {
    test::TempFile f("config.json", R"({"model_type": "mamba", "hidden_size": 768, "num_hidden_layers": 12, "vocab_size": 50280})");
    CHECK_THROWS_WITH(load_model(f.path()), Contains(f.path()) && Contains("/model_type") && Contains("'mamba'"));
  }
  SECTION("experts on a dense model_type") {
    test::TempFile f("config.json", R"({"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2,
      "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 100, "num_local_experts": 4})");
    CHECK_THROWS_WITH(load_model(f.path()), Contains("/num_local_experts"));
  }
  SECTION("DeepSeek-V2's latent attention") {
    test::TempFile f("config.json", R"({"model_type": "deepseek", "hidden_size": 64, "num_hidden_layers": 2,
      "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 100, "kv_lora_rank": 16})");
    CHECK_THROWS_WITH(load_model(f.path()), Contains("/kv_lora_rank"));
  }
  SECTION("KV heads that do not divide the heads") {
    test::TempFile f("config.json", R"({"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2,
      "num_attention_heads": 4, "num_key_value_heads": 3, "intermediate_size": 128, "vocab_size": 100})");
    CHECK_THROWS_WITH(load_model(f.path()), Contains("/kv_heads") && Contains("do not divide"));
  }
}
