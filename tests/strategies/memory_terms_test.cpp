// The memory terms each strategy resolves to, through estimate_memory: the reference table of
// sim/model/memory.hpp, to the byte, for N = 8 ranks on nodes of k = 4 with p = 4.
#include "sim/input/input_error.hpp"
#include "sim/model/memory.hpp"
#include "sim/model/model_loader.hpp"
#include "sim/strategies/registry.hpp"

#include "tests/support/test_models.hpp"

#include <catch2/catch.hpp>

#include <numeric>

using namespace shardsim;

namespace {

Cluster nodes_of_four(int gpus) {
  Cluster c;
  c.instance.gpus_per_node = 4;
  c.nodes = gpus / 4;
  return c;
}

MemoryInput input(Strategy s, int world = 8, int partition = 4) {
  MemoryInput in;
  in.strategy = to_string(s);
  in.sharding = resolve_strategy(nodes_of_four(world), {.strategy = s, .partition_size = partition}).memory;
  in.model = test::tiny_model();
  in.world_size = world;
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

TEST_CASE("model states per strategy match the reference table to the byte", "[strategies][memory]") {
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

TEST_CASE("full breakdown of ZeRO-3 and DDP, to the byte", "[strategies][memory]") {
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
  CHECK(ddp.gradient_buckets_bytes == 0);  // DDP's buckets are views of the gradients
  CHECK(ddp.total_bytes == 9088 + 5568);
  CHECK(component_sum(ddp) == static_cast<double>(ddp.total_bytes));
  CHECK(ddp.largest_component == "optimizer states");  // 12 * 568 = 6816 > 5568

  const auto z2 = estimate_memory(input(Strategy::zero2));
  CHECK(z2.gathered_params_bytes == 0);  // parameters stay replicated
  CHECK(z2.gradient_buckets_bytes == 1000);

  const auto hpz = estimate_memory(input(Strategy::zeropp_hpz));
  CHECK(hpz.components.at(3).first == "hpZ secondary parameters");
  CHECK(hpz.components.at(3).second == 2 * 568 / 4);
}

TEST_CASE("largest component names the dominant part", "[strategies][memory]") {
  auto in = input(Strategy::ddp);
  in.micro_batch = 1;
  in.model.seq_len = 1;
  CHECK(estimate_memory(in).largest_component == "optimizer states");  // 12 of the 16 bytes per parameter
}

TEST_CASE("the gathered unit is the embedding when it outweighs a block", "[strategies][memory]") {
  auto in = input(Strategy::zero3);
  in.model.vocab = 100;  // embedding (100 + 8) * 4 = 432 > 244
  CHECK(estimate_memory(in).gathered_params_bytes == 2 * 2 * 432);
}

TEST_CASE("fp32 models keep 16 bytes per parameter with a different split", "[strategies][memory]") {
  auto in = input(Strategy::zero2);
  in.model.precision = "fp32";
  CHECK(estimate_memory(in).model_states_bytes == 4 * 568 + 12 * 568 / 8);  // params 4, grads 4 + Adam 8 sharded
  auto ddp = input(Strategy::ddp);
  ddp.model.precision = "fp32";
  CHECK(estimate_memory(ddp).model_states_bytes == 16 * 568);
}

TEST_CASE("MiCS with p = N is ZeRO-3", "[strategies][memory]") {
  const auto a = estimate_memory(input(Strategy::mics, 8, 8)), b = estimate_memory(input(Strategy::zero3));
  CHECK(a.model_states_bytes == b.model_states_bytes);
  CHECK(a.total_bytes == b.total_bytes);

  auto big = [](Strategy s, int p) {
    MemoryInput in = input(s, 512, p);
    in.model = load_model("gpt3-175b");
    return estimate_memory(in);
  };
  const auto z3 = big(Strategy::zero3, 0);
  CHECK(big(Strategy::mics, 512).total_bytes == z3.total_bytes);
  // One node: 128x the model states of ZeRO-3 over 512.
  CHECK(big(Strategy::mics, 4).model_states_bytes > 120 * z3.model_states_bytes);
}

TEST_CASE("a partition size that does not divide the world is refused by the memory estimate", "[strategies][memory]") {
  CHECK_THROWS_WITH(estimate_memory(input(Strategy::mics, 8, 3)), Catch::Contains("does not divide world size 8"));
  CHECK_THROWS_AS(estimate_memory(input(Strategy::hybrid_shard, 8, 16)), InputError);
}
