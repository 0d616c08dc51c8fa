#include "sim/input/input_error.hpp"
#include "sim/model/activations.hpp"
#include "sim/model/memory.hpp"
#include "sim/model/model_loader.hpp"

#include "tests/support/test_models.hpp"

#include <catch2/catch.hpp>

#include <numeric>

using namespace shardsim;

namespace {

TransformerModel tiny() { return test::tiny_model(); }

// Model states sharded like ZeRO-3 over `ranks` (the per-strategy terms are tested with the
// strategies, in tests/strategies/memory_terms_test.cpp).
ModelStateSharding over(int ranks) { return {ranks, ranks, ranks, 0, true, true}; }

MemoryInput input(ModelStateSharding sharding) {
  MemoryInput in;
  in.strategy = "test";
  in.sharding = sharding;
  in.model = tiny();
  in.world_size = 8;
  in.micro_batch = 3;
  in.activation_checkpointing = true;
  in.live_gathered_layers = 2;
  in.reduce_bucket_bytes = 1000;
  return in;
}

double component_sum(const MemoryBreakdown& b) {
  return std::accumulate(b.components.begin(), b.components.end(), 0.0,
                         [](double acc, const auto& c) { return acc + c.second; });
}

}  // namespace

TEST_CASE("activation bytes, Korthikanti estimate", "[model]") {
  // s*b*(34h + 5as) = 24 * (136 + 80) = 5184, which is s*b*h*(34 + 5as/h) = 96 * 54.
  CHECK(layer_activation_bytes(tiny(), 3) == 5184);
  CHECK(layer_input_bytes(tiny(), 3) == 8 * 3 * 4 * 2);
  CHECK(activation_bytes(tiny(), 3, true) == 2 * 192 + 5184);
  CHECK(activation_bytes(tiny(), 3, false) == 2 * 5184);
  TransformerModel fp32 = tiny();
  fp32.precision = "fp32";
  CHECK(activation_bytes(fp32, 3, true) == 2 * (2 * 192 + 5184));
}

TEST_CASE("each model state is sharded over its own number of ranks", "[model]") {
  const std::uint64_t psi = 568;
  CHECK(estimate_memory(input({1, 1, 1})).model_states_bytes == 16 * psi);
  CHECK(estimate_memory(input({1, 1, 8})).model_states_bytes == 4 * psi + 12 * psi / 8);
  CHECK(estimate_memory(input({1, 8, 8})).model_states_bytes == 2 * psi + 14 * psi / 8);
  CHECK(estimate_memory(input(over(4))).model_states_bytes == 16 * psi / 4);
  CHECK(estimate_memory(input({8, 8, 8, 4})).model_states_bytes == 16 * psi / 8 + 2 * psi / 4);
}

TEST_CASE("the gathered and bucket terms follow the sharding's flags", "[model]") {
  const auto z3 = estimate_memory(input(over(8)));
  CHECK(z3.gathered_params_bytes == 2 * 2 * 244);  // two live layers of 244 bf16 parameters
  CHECK(z3.gradient_buckets_bytes == 1000);
  CHECK(component_sum(z3) == static_cast<double>(z3.total_bytes));
  const auto replicated = estimate_memory(input({1, 1, 1}));
  CHECK(replicated.gathered_params_bytes == 0);
  CHECK(replicated.gradient_buckets_bytes == 0);
  CHECK(component_sum(replicated) == static_cast<double>(replicated.total_bytes));
}

TEST_CASE("uneven shards are padded to ceil(Psi/N)", "[model]") {
  auto in = input(over(3));
  in.world_size = 3;
  CHECK(estimate_memory(in).model_states_bytes == 16 * 190);  // ceil(568 / 3) = 190
}

TEST_CASE("fits compares the total against GPU memory", "[model]") {
  const auto b = estimate_memory(input(over(8)));
  CHECK(fits(b, b.total_bytes));
  CHECK_FALSE(fits(b, b.total_bytes - 1));

  // GPT-3 175B does not fit on 8 x 80 GB with ZeRO-3 (16*175e9/8 = 350 GB per GPU) but fits over 512.
  MemoryInput in;
  in.model = load_model("gpt3-175b");
  in.sharding = over(8);
  in.world_size = 8;
  CHECK_FALSE(fits(estimate_memory(in), 80'000'000'000ULL));
  in.sharding = over(512);
  in.world_size = 512;
  CHECK(fits(estimate_memory(in), 80'000'000'000ULL));
}

TEST_CASE("bad memory inputs throw InputError", "[model]") {
  auto in = input(over(3));
  CHECK_THROWS_WITH(estimate_memory(in), Catch::Contains("does not divide world size 8"));
  in = input(over(0));
  CHECK_THROWS_WITH(estimate_memory(in), Catch::Contains("must be in [1, 8]"));
  in = input(over(16));
  CHECK_THROWS_AS(estimate_memory(in), InputError);
  in = input(over(8));
  in.world_size = 0;
  CHECK_THROWS_AS(estimate_memory(in), InputError);
  in = input(over(8));
  in.micro_batch = 0;
  CHECK_THROWS_AS(estimate_memory(in), InputError);
  in = input(over(8));
  in.model.heads = 3;
  CHECK_THROWS_WITH(estimate_memory(in), Catch::Contains("heads"));
}
