// Each registered strategy resolved for a few cluster shapes: partition size, groups, whether it
// gathers hierarchically, and that the compiled schedule agrees with what was resolved.
#include "sim/input/input_error.hpp"
#include "sim/strategies/compile.hpp"
#include "sim/strategies/registry.hpp"

#include "tests/support/test_models.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace shardsim;

namespace {

Cluster nodes_of_eight(int nodes) {
  Cluster c;
  c.instance.gpus_per_node = 8;
  c.nodes = nodes;
  return c;
}

ResolvedStrategy resolve(Strategy s, int gpus, int partition = 0, bool hierarchical = true) {
  return resolve_strategy(nodes_of_eight(gpus / 8), {.strategy = s, .partition_size = partition, .hierarchical_gather = hierarchical});
}

bool schedule_gathers_hierarchically(Strategy s, int gpus, int partition, bool hierarchical) {
  StepConfig c;
  c.model = test::small_model();
  c.strategy = {.strategy = s, .partition_size = partition, .hierarchical_gather = hierarchical};
  const Schedule schedule = compile_schedule(nodes_of_eight(gpus / 8), c);
  for (const auto& op : schedule.program.ops)
    if (const auto* coll = std::get_if<CollectiveOp>(&op.body); coll && coll->algorithm == Algorithm::hierarchical) return true;
  return false;
}

}  // namespace

TEST_CASE("the registry names every strategy once and resolves each to itself", "[strategies][registry]") {
  std::set<std::string> names;
  for (const auto& unit : strategy_units()) {
    INFO(unit.name);
    CHECK(names.insert(unit.name).second);
    CHECK(parse_strategy(unit.name) == unit.strategy);
    CHECK(std::string(to_string(unit.strategy)) == unit.name);
    CHECK(resolve(unit.strategy, 16).strategy == unit.strategy);
  }
  CHECK(names.size() == 8);
  CHECK(strategy_names().front() == "ddp");
  CHECK_THROWS_WITH(parse_strategy("zero-3"), Catch::Contains("did you mean 'zero3'"));
}

TEST_CASE("partition sizes: 1 for DDP, N for ZeRO, the knob or one node for partition-group strategies", "[strategies][registry]") {
  for (int gpus : {8, 16, 64}) {
    INFO(gpus << " GPUs");
    CHECK(resolve(Strategy::ddp, gpus).partition_size == 1);
    for (Strategy s : {Strategy::zero1, Strategy::zero2, Strategy::zero3, Strategy::zeropp_hpz}) {
      CHECK(resolve(s, gpus).partition_size == gpus);
      CHECK_FALSE(resolve(s, gpus).has_partition_group());
    }
    for (Strategy s : {Strategy::mics, Strategy::hybrid_shard, Strategy::hybrid_shard_deferred}) {
      CHECK(resolve(s, gpus).partition_size == 8);
      CHECK(resolve(s, gpus, 4).partition_size == 4);
      CHECK(resolve(s, gpus, gpus).partition_size == gpus);
      CHECK(resolve(s, gpus).has_partition_group());
    }
  }
}

TEST_CASE("groups: replication only with more than one replica, and hpZ within a node", "[strategies][registry]") {
  const auto mics = resolve(Strategy::mics, 32, 16);
  CHECK(mics.groups.partition == 16);
  CHECK(mics.groups.replication == 2);
  CHECK(mics.schedule.boundary_sync.has_value());
  CHECK(mics.schedule.boundary_sync->fp32);
  const auto single = resolve(Strategy::mics, 16, 16);
  CHECK(single.groups.replication == 0);
  CHECK_FALSE(single.schedule.boundary_sync.has_value());
  CHECK(resolve(Strategy::hybrid_shard, 32, 16).schedule.gradient_sync.size() == 2);
  CHECK(resolve(Strategy::hybrid_shard, 16, 16).schedule.gradient_sync.size() == 1);
  CHECK(resolve(Strategy::hybrid_shard_deferred, 32, 16).schedule.boundary_sync->divisor == 16);

  const auto hpz = resolve(Strategy::zeropp_hpz, 32);
  CHECK(hpz.groups.hpz == 8);
  CHECK(hpz.schedule.backward_gather->group == GroupRole::intra_node);
  CHECK(hpz.schedule.forward_gather->group == GroupRole::world);
  StrategyConfig four{.strategy = Strategy::zeropp_hpz, .hpz_partition_size = 4};
  CHECK(resolve_strategy(nodes_of_eight(4), four).groups.hpz == 4);
  CHECK(resolve(Strategy::zero3, 32).groups.hpz == 0);
}

TEST_CASE("MiCS gathers hierarchically only with the knob on and p spanning nodes", "[strategies][registry]") {
  CHECK_FALSE(resolve(Strategy::mics, 8, 8, true).hierarchical_gather);    // p = 8 is one node
  CHECK_FALSE(resolve(Strategy::mics, 32, 0, true).hierarchical_gather);   // p defaults to one node
  CHECK_FALSE(resolve(Strategy::mics, 32, 4, true).hierarchical_gather);   // within a node
  CHECK(resolve(Strategy::mics, 16, 16, true).hierarchical_gather);
  CHECK(resolve(Strategy::mics, 32, 16, true).hierarchical_gather);
  CHECK_FALSE(resolve(Strategy::mics, 16, 16, false).hierarchical_gather);
  CHECK(resolve(Strategy::mics, 16, 16).hierarchical_gather_knob);
  for (const auto& unit : strategy_units()) {
    if (unit.strategy == Strategy::mics) continue;
    INFO(unit.name);
    CHECK_FALSE(resolve(unit.strategy, 16, 16, true).hierarchical_gather);
    CHECK_FALSE(resolve(unit.strategy, 16, 16, true).hierarchical_gather_knob);
  }
}

TEST_CASE("the compiled schedule gathers hierarchically exactly when the resolved strategy says so", "[strategies][registry]") {
  struct Shape {
    int gpus, partition;
    bool knob;
  };
  for (const auto& unit : strategy_units())
    for (const Shape& shape : {Shape{8, 8, true}, Shape{16, 16, true}, Shape{16, 16, false}, Shape{32, 8, true}, Shape{32, 16, true}}) {
      INFO(unit.name << " on " << shape.gpus << " GPUs, p = " << shape.partition << ", knob " << shape.knob);
      CHECK(schedule_gathers_hierarchically(unit.strategy, shape.gpus, shape.partition, shape.knob) ==
            resolve(unit.strategy, shape.gpus, shape.partition, shape.knob).hierarchical_gather);
    }
}

TEST_CASE("memory terms and the optimizer's shard come from one resolution", "[strategies][registry]") {
  CHECK(resolve(Strategy::zero1, 16).memory.optimizer_states == 16);
  CHECK(resolve(Strategy::zero1, 16).memory.parameters == 1);
  CHECK(resolve(Strategy::zero2, 16).memory.gradients == 16);
  CHECK(resolve(Strategy::mics, 32, 16).memory.parameters == 16);
  CHECK(resolve(Strategy::zeropp_hpz, 32).memory.secondary_parameters == 8);
  CHECK_FALSE(resolve(Strategy::ddp, 16).memory.gradient_buckets);
  CHECK(resolve(Strategy::zero3, 16).memory.gathers_parameters);
  CHECK_FALSE(resolve(Strategy::zero2, 16).memory.gathers_parameters);
}

TEST_CASE("resolution keeps a partition size that does not fit, and validation refuses it", "[strategies][registry]") {
  CHECK(resolve(Strategy::mics, 16, 24).partition_size == 24);
  StepConfig c;
  c.model = test::small_model();
  c.strategy = {.strategy = Strategy::mics, .partition_size = 24};
  CHECK_THROWS_WITH(validate_step_config(nodes_of_eight(2), c), Catch::Contains("partition size 24 does not divide the world of 16"));
  c.strategy = {.strategy = Strategy::zeropp_hpz, .hpz_partition_size = 3};
  CHECK_THROWS_WITH(validate_step_config(nodes_of_eight(2), c), Catch::Contains("hpZ partition size 3"));
}
