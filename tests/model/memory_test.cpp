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

MemoryInput input(Strategy s) {
  MemoryInput in;
  in.strategy = s;
  in.model = tiny();
  in.world_size = 8;
  in.partition_size = 4;
  in.gpus_per_node = 4;
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

TEST_CASE("model states per strategy match the reference table to the byte", "[model]") {
  const std::uint64_t psi = 568, n = 8, p = 4, k = 4;
  CHECK(estimate_memory(input(Strategy::ddp)).model_states_bytes == 16 * psi);                  // 9088
  CHECK(estimate_memory(input(Strategy::zero1)).model_states_bytes == 4 * psi + 12 * psi / n);  // 3124
  CHECK(estimate_memory(input(Strategy::zero2)).model_states_bytes == 2 * psi + 14 * psi / n);  // 2130
  CHECK(estimate_memory(input(Strategy::zero3)).model_states_bytes == 16 * psi / n);            // 1136
  CHECK(estimate_memory(input(Strategy::mics)).model_states_bytes == 16 * psi / p);             // 2272
  CHECK(estimate_memory(input(Strategy::hybrid_shard)).model_states_bytes == 16 * psi / p);
  CHECK(estimate_memory(input(Strategy::hybrid_shard_deferred)).model_states_bytes == 16 * psi / p);
  CHECK(estimate_memory(input(Strategy::zeropp_hpz)).model_states_bytes == 16 * psi / n + 2 * psi / k);  // 1420
  CHECK(estimate_memory(input(Strategy::zero3)).model_states_bytes == 1136);
}

TEST_CASE("full breakdown of ZeRO-3 and DDP, to the byte", "[model]") {
  const auto z3 = estimate_memory(input(Strategy::zero3));
  CHECK(z3.model_states_bytes == 1136);
  CHECK(z3.gathered_params_bytes == 2 * 2 * 244);  // two live layers of 244 bf16 parameters
  CHECK(z3.gradient_buckets_bytes == 1000);
  CHECK(z3.activations_bytes == 5568);
  CHECK(z3.total_bytes == 1136 + 976 + 1000 + 5568);
  CHECK(component_sum(z3) == static_cast<double>(z3.total_bytes));
  CHECK(z3.largest_component == "activations");

  const auto ddp = estimate_memory(input(Strategy::ddp));
  CHECK(ddp.gathered_params_bytes == 0);
  CHECK(ddp.gradient_buckets_bytes == 0);
  CHECK(ddp.total_bytes == 9088 + 5568);
  CHECK(component_sum(ddp) == static_cast<double>(ddp.total_bytes));
  CHECK(ddp.largest_component == "optimizer states");  // 12 * 568 = 6816 > 5568

  const auto z2 = estimate_memory(input(Strategy::zero2));
  CHECK(z2.gathered_params_bytes == 0);  // parameters stay replicated
  CHECK(z2.gradient_buckets_bytes == 1000);
}

TEST_CASE("largest component names the dominant part", "[model]") {
  auto in = input(Strategy::ddp);
  in.micro_batch = 1;
  in.model.seq_len = 1;
  const auto b = estimate_memory(in);
  CHECK(b.largest_component == "optimizer states");  // 12 of the 16 bytes per parameter
}

TEST_CASE("the gathered unit is the embedding when it outweighs a block", "[model]") {
  auto in = input(Strategy::zero3);
  in.model.vocab = 100;  // embedding (100 + 8) * 4 = 432 > 244
  CHECK(estimate_memory(in).gathered_params_bytes == 2 * 2 * 432);
}

TEST_CASE("fp32 models keep 16 bytes per parameter with a different split", "[model]") {
  auto in = input(Strategy::zero2);
  in.model.precision = "fp32";
  CHECK(estimate_memory(in).model_states_bytes == 4 * 568 + 12 * 568 / 8);  // params 4, grads 4 + Adam 8 sharded
  in.strategy = Strategy::ddp;
  CHECK(estimate_memory(in).model_states_bytes == 16 * 568);
}

TEST_CASE("uneven shards are padded to ceil(Psi/N)", "[model]") {
  auto in = input(Strategy::zero3);
  in.world_size = 3;
  CHECK(estimate_memory(in).model_states_bytes == 16 * 190);  // ceil(568 / 3) = 190
}

TEST_CASE("MiCS with p = N is ZeRO-3", "[model]") {
  auto mics = input(Strategy::mics);
  mics.partition_size = mics.world_size;
  const auto a = estimate_memory(mics), b = estimate_memory(input(Strategy::zero3));
  CHECK(a.model_states_bytes == b.model_states_bytes);
  CHECK(a.total_bytes == b.total_bytes);

  MemoryInput big;
  big.model = load_model("gpt3-175b");
  big.world_size = 512;
  big.strategy = Strategy::zero3;
  const auto z3 = estimate_memory(big);
  big.strategy = Strategy::mics;
  big.partition_size = 512;
  CHECK(estimate_memory(big).total_bytes == z3.total_bytes);
  big.partition_size = 8;  // one node: 64x the model states of ZeRO-3 over 512
  CHECK(estimate_memory(big).model_states_bytes > 60 * z3.model_states_bytes);
}

TEST_CASE("fits compares the total against GPU memory", "[model]") {
  const auto b = estimate_memory(input(Strategy::zero3));
  CHECK(fits(b, b.total_bytes));
  CHECK_FALSE(fits(b, b.total_bytes - 1));

  // GPT-3 175B does not fit on 8 x 80 GB with ZeRO-3 (16*175e9/8 = 350 GB per GPU) but fits over 512.
  MemoryInput in;
  in.model = load_model("gpt3-175b");
  in.strategy = Strategy::zero3;
  in.world_size = 8;
  CHECK_FALSE(fits(estimate_memory(in), 80'000'000'000ULL));
  in.world_size = 512;
  CHECK(fits(estimate_memory(in), 80'000'000'000ULL));
}

TEST_CASE("bad memory inputs throw InputError", "[model]") {
  auto in = input(Strategy::mics);
  in.partition_size = 3;
  CHECK_THROWS_WITH(estimate_memory(in), Catch::Contains("does not divide world size 8"));
  in.partition_size = 0;
  CHECK_THROWS_AS(estimate_memory(in), InputError);
  in = input(Strategy::zero3);
  in.world_size = 0;
  CHECK_THROWS_AS(estimate_memory(in), InputError);
  in = input(Strategy::zero3);
  in.micro_batch = 0;
  CHECK_THROWS_AS(estimate_memory(in), InputError);
  in = input(Strategy::zero3);
  in.model.heads = 3;
  CHECK_THROWS_WITH(estimate_memory(in), Catch::Contains("heads"));
}

TEST_CASE("strategy names round-trip and typos get a suggestion", "[model]") {
  for (const auto& name : strategy_names()) CHECK(to_string(parse_strategy(name)) == name);
  CHECK_THROWS_WITH(parse_strategy("zero-3"), Catch::Contains("did you mean 'zero3'"));
  CHECK(uses_partition_group(Strategy::mics));
  CHECK_FALSE(uses_partition_group(Strategy::zero3));
  CHECK(gathers_parameters(Strategy::zeropp_hpz));
  CHECK_FALSE(gathers_parameters(Strategy::zero2));
}
