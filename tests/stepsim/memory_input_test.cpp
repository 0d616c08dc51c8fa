// memory_input: what the memory estimate is given for a scenario.
#include "sim/scenario/scenario.hpp"
#include "sim/stepsim/step_metrics.hpp"

#include "tests/support/test_data.hpp"

#include <catch2/catch.hpp>

using namespace shardsim;

TEST_CASE("prefetch beyond the last layer holds every unit at most", "[stepsim][memory]") {
  ScenarioOverrides o;
  o.framework = "ideal";
  Scenario sc = load_scenario(test::data_path("scenarios/toy-zero3-2node.json"), o);
  sc.step.strategy.prefetch_layers = 1000;
  CHECK(memory_input(sc).live_gathered_layers == sc.step.model.layers + 1);
  sc.step.strategy.prefetch_layers = 1;
  CHECK(memory_input(sc).live_gathered_layers == 2);
}
