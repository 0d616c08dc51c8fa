// The emitted DeepSpeed config, fed back through --deepspeed, gives the same step and the same
// prediction.
#include "sim/input/input_error.hpp"
#include "sim/scenario/deepspeed_emit.hpp"
#include "sim/scenario/fsdp_emit.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/stepsim/step_simulation.hpp"
#include "sim/strategies/registry.hpp"
#include "sim/strategies/compile.hpp"
#include "tests/support/test_data.hpp"

#include <catch2/catch.hpp>

using namespace shardsim;
using test::data_path;
using test::TempFile;

TEST_CASE("an emitted DeepSpeed config round-trips to the same step and prediction", "[scenarios][deepspeed]") {
  for (const char* strategy : {"zero2", "zero3", "mics", "zeropp_hpz"}) {
    INFO(strategy);
    ScenarioOverrides o;
    o.strategy = strategy;
    const Scenario original = load_scenario(data_path("scenarios/toy-mics-4node.json"), o);
    const TempFile ds("ds.json", deepspeed_config_for(original.cluster, original.step).dump(2));
    // Another scenario (ZeRO-3 on 2 nodes) made into the same run by the config and the cluster flags.
    ScenarioOverrides back;
    back.deepspeed_config = ds.path();
    back.nodes = original.cluster.nodes;
    back.model = "toy-1b";
    const Scenario again = load_scenario(data_path("scenarios/toy-zero3-2node.json"), back);
    CHECK(again.step.strategy.strategy == original.step.strategy.strategy);
    CHECK(resolve_strategy(again.cluster, again.step.strategy).partition_size ==
          resolve_strategy(original.cluster, original.step.strategy).partition_size);
    CHECK(again.step.strategy.hierarchical_gather == original.step.strategy.hierarchical_gather);
    CHECK(again.step.strategy.prefetch_layers == original.step.strategy.prefetch_layers);
    CHECK(again.step.framework.name == original.step.framework.name);
    const FrameworkProfile a = effective_framework(again.step), b = effective_framework(original.step);
    CHECK(a.reduce_bucket_elements == b.reduce_bucket_elements);
    CHECK(a.prefetch_bucket_elements == b.prefetch_bucket_elements);
    CHECK(a.persistence_threshold_elements == b.persistence_threshold_elements);
    CHECK(a.max_live_elements == b.max_live_elements);
    CHECK(a.max_reuse_distance_elements == b.max_reuse_distance_elements);
    CHECK(again.step.micro_batch == original.step.micro_batch);
    CHECK(again.step.accumulation_steps == original.step.accumulation_steps);
    CHECK(again.step.model.precision == original.step.model.precision);
    const double t0 = simulate_step(original.cluster, compile_schedule(original.cluster, original.step)).step_time_s;
    const double t1 = simulate_step(again.cluster, compile_schedule(again.cluster, again.step)).step_time_s;
    CHECK(t1 == t0);
  }
  ScenarioOverrides hs;
  hs.strategy = "hybrid_shard";
  const Scenario fsdp = load_scenario(data_path("scenarios/toy-mics-4node.json"), hs);
  CHECK_THROWS_AS(deepspeed_config_for(fsdp.cluster, fsdp.step), InputError);
}

TEST_CASE("FSDP2 settings of each strategy", "[scenarios][fsdp]") {
  auto emit = [](const char* strategy, std::optional<bool> hierarchical = std::nullopt) {
    ScenarioOverrides o;
    o.strategy = strategy;
    o.partition_size = 8;
    o.hierarchical_gather = hierarchical;
    const Scenario sc = load_scenario(data_path("scenarios/toy-mics-4node.json"), o);
    return fsdp_config_for(sc.cluster, sc.step);
  };
  CHECK(emit("zero3")["device_mesh"]["shape"] == nlohmann::json::array({32}));
  CHECK(emit("zero3")["reshard_after_forward"] == true);
  CHECK(emit("zero2")["reshard_after_forward"] == false);
  CHECK(emit("zeropp_hpz")["reshard_after_forward"] == 8);
  const auto hsdp = emit("hybrid_shard");
  CHECK(hsdp["device_mesh"]["shape"] == nlohmann::json::array({4, 8}));
  CHECK(hsdp["fsdp1_sharding_strategy"] == "HYBRID_SHARD");
  CHECK(emit("hybrid_shard_deferred")["replication_all_reduce"].get<std::string>().find("set_requires_all_reduce(False)") != std::string::npos);
  CHECK(emit("mics", false)["device_mesh"]["shape"] == nlohmann::json::array({4, 8}));
  CHECK_THROWS_AS(emit("zero1"), InputError);
}
