// Fuzzes apply_deepspeed_config the way `simulate SCENARIO --deepspeed ds.json` reaches it:
// load_scenario of a shipped 4-node scenario (32 GPUs) with the fuzz input as the DeepSpeed
// config, which also runs validate_step_config on the result, then the memory estimate.
#include "tests/fuzz/fuzz_support.hpp"

#include "sim/model/memory.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/stepsim/step_metrics.hpp"

SHARDSIM_FUZZ_TARGET(deepspeed) {
  using namespace shardsim;
  if (size > fuzz::kMaxInput) return 0;
  static const std::string base = std::string(SHARDSIM_DATA_DIR) + "/scenarios/toy-mics-4node.json";
  ScenarioOverrides o;
  o.deepspeed_config = fuzz::write_temp(data, size, "deepspeed");
  fuzz::expect_only_input_errors("fuzz_deepspeed", [&] {
    const Scenario sc = load_scenario(base, o);
    estimate_memory(memory_input(sc));
  });
  return 0;
}
