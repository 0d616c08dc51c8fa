#include "sim/input/input_error.hpp"
#include "sim/model/model_loader.hpp"
#include "sim/model/transformer.hpp"

#include "tests/support/test_models.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace shardsim;

namespace {

TransformerModel tiny() { return test::tiny_model(); }

}  // namespace

TEST_CASE("parameter count of a hand-sized model, term by term", "[model]") {
  TransformerModel m = tiny();
  CHECK(attention_parameters_per_layer(m) == 4 * 16 + 4 * 4);   // 80
  CHECK(mlp_parameters_per_layer(m) == 2 * 4 * 16 + 16 + 4);     // 148
  CHECK(layernorm_parameters_per_layer(m) == 16);
  CHECK(parameters_per_layer(m) == 244);
  CHECK(embedding_parameters(m) == (10 + 8) * 4);               // 72
  CHECK(output_head_parameters(m) == 0);
  CHECK(final_norm_parameters(m) == 8);
  CHECK(parameter_count(m) == 2 * 244 + 72 + 8);                 // 568

  m.tied_embeddings = false;
  CHECK(output_head_parameters(m) == 40);
  CHECK(parameter_count(m) == 608);

  m.gated_mlp = true;  // three h x f matrices, biases f + f + h
  CHECK(mlp_parameters_per_layer(m) == 3 * 4 * 16 + 2 * 16 + 4);
}

TEST_CASE("published parameter counts", "[model]") {
  const auto gpt3 = load_model("gpt3-175b");
  CHECK(std::abs(static_cast<double>(parameter_count(gpt3)) - 175e9) / 175e9 < 0.01);
  const auto gpt2 = load_model("gpt2-small");
  CHECK(std::abs(static_cast<double>(parameter_count(gpt2)) - 124e6) / 124e6 < 0.02);
  CHECK(parameter_count(gpt2) == 124439808);  // Hugging Face's count for "gpt2"
}

TEST_CASE("MiCS-family presets have their nominal sizes within 5%", "[model]") {
  const std::pair<const char*, double> presets[] = {{"bert-10b", 10e9}, {"bert-15b", 15e9},   {"bert-20b", 20e9},
                                                    {"bert-50b", 50e9}, {"gpt-100b", 100e9}, {"toy-1b", 1e9}};
  for (const auto& [name, nominal] : presets) {
    INFO(name);
    const auto m = load_model(name);
    CHECK(m.name == name);
    CHECK_FALSE(m.source.empty());
    CHECK(std::abs(static_cast<double>(parameter_count(m)) - nominal) / nominal < 0.05);
  }
}

TEST_CASE("element bytes follow the precision", "[model]") {
  TransformerModel m = tiny();
  CHECK(element_bytes(m) == 2);
  m.precision = "fp16";
  CHECK(element_bytes(m) == 2);
  m.precision = "fp32";
  CHECK(element_bytes(m) == 4);
  m.precision = "int8";
  CHECK_THROWS_AS(element_bytes(m), InputError);
}

TEST_CASE("parameter counts that overflow 64 bits throw instead of wrapping", "[model]") {
  TransformerModel m = tiny();
  m.hidden = 2'000'000'000;
  m.ffn_hidden = 2'000'000'000;
  m.layers = 2'000'000'000;
  CHECK_THROWS_AS(parameter_count(m), InputError);
}
