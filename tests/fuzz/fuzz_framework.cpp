// Fuzzes load_framework (topologies/frameworks/*.json) and what the compiler and the step
// simulator then do with a user's profile: a ZeRO-3 and a MiCS step of a small model on two p4d
// nodes, whose schedule must run to the end (no deadlock from any cap, prefetch or
// synchronization setting) in a finite, positive time.
#include "tests/fuzz/fuzz_support.hpp"

#include "sim/framework/framework_profile.hpp"
#include "sim/model/model_loader.hpp"
#include "sim/stepsim/step_simulation.hpp"
#include "sim/strategies/compile.hpp"

#include <cmath>

SHARDSIM_FUZZ_TARGET(framework) {
  using namespace shardsim;
  if (size > fuzz::kMaxInput) return 0;
  const std::string path = fuzz::write_temp(data, size, "framework");
  fuzz::expect_only_input_errors("fuzz_framework", [&] {
    StepConfig c;
    c.framework = load_framework(path);
    c.model = load_model("toy-1b");
    c.model.layers = 2;
    c.accumulation_steps = 2;
    const Cluster cluster = make_cluster(load_instance_by_name("p4d.24xlarge"), 2);
    for (Strategy s : {Strategy::zero3, Strategy::mics, Strategy::zero2}) {
      c.strategy.strategy = s;
      const StepResult r = simulate_step(cluster, compile_schedule(cluster, c));
      if (!(std::isfinite(r.step_time_s) && r.step_time_s > 0)) {
        std::fprintf(stderr, "\nfuzz_framework: BUG: a step of %g s\n", r.step_time_s);
        std::abort();
      }
    }
  });
  return 0;
}
