// Override values no scenario could take are refused by load_scenario itself, naming the flag,
// so every program that loads scenarios (shardsim, shardsim-run step, tests) gets the same check.
#include "sim/input/input_error.hpp"
#include "sim/scenario/scenario.hpp"

#include "tests/support/test_data.hpp"

#include <catch2/catch.hpp>

using namespace shardsim;

TEST_CASE("load_scenario refuses override values no scenario could take, naming the flag", "[scenarios]") {
  const std::string toy = test::data_path("scenarios/toy-mics-4node.json");
  const auto refused = [&](auto set) {
    ScenarioOverrides o;
    set(o);
    return [o, &toy] { (void)load_scenario(toy, o); };
  };
  CHECK_THROWS_WITH(refused([](auto& o) { o.partition_size = 0; })(), "--partition-size must be positive, got 0");
  CHECK_THROWS_WITH(refused([](auto& o) { o.nodes = -2; })(), "--nodes must be at least 1, got -2");
  CHECK_THROWS_WITH(refused([](auto& o) { o.micro_batch = 0; })(), "--micro-batch must be at least 1, got 0");
  CHECK_THROWS_WITH(refused([](auto& o) { o.accumulation_steps = 0; })(), "--accumulation must be at least 1, got 0");
  CHECK_THROWS_AS(refused([](auto& o) { o.partition_size = -1; })(), InputError);
  ScenarioOverrides fine;
  fine.partition_size = 4;
  CHECK(load_scenario(toy, fine).step.strategy.partition_size == 4);
}
