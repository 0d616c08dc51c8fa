// Fuzzes load_scenario (scenarios/*.json): the model (preset, file or inline), the cluster, the
// strategy block and the batch, then the memory estimate `simulate` checks before it runs.
#include "tests/fuzz/fuzz_support.hpp"

#include "sim/model/memory.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/stepsim/step_metrics.hpp"

SHARDSIM_FUZZ_TARGET(scenario) {
  using namespace shardsim;
  if (size > fuzz::kMaxInput) return 0;
  const std::string path = fuzz::write_temp(data, size, "scenario");
  fuzz::expect_only_input_errors("fuzz_scenario", [&] {
    const Scenario sc = load_scenario(path);
    estimate_memory(memory_input(sc));
  });
  return 0;
}
