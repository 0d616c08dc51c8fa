// The step as a framework's own timers divide it: forward, backward and optimizer step per
// micro-step, the figures DeepSpeed prints with "wall_clock_breakdown": true (its timers
// synchronize the device at each boundary, so each pass ends when the work it launched has
// finished) and that a PyTorch loop timing engine.forward / engine.backward / engine.step
// measures. From a simulated step: a micro-step's forward ends with its last forward compute (ops
// labelled "fwd ..."); its backward then runs until every other op of the micro-step has finished
// (backward and recompute compute, the gathers for them, the gradient reductions the backward
// epilogue waits for); the optimizer step is the op labelled "optimizer" and every op that depends
// on it (the updated-parameter gathers), to the end of the step. So a user can set the simulator's
// passes beside the ones their own logs print.
#pragma once

#include "sim/schedule/schedule.hpp"
#include "sim/stepsim/deepspeed_timer_log.hpp"
#include "sim/stepsim/step_simulation.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <vector>

namespace shardsim {

struct MicroStepPasses {
  double forward_s = 0;
  double backward_s = 0;
};

struct StepPasses {
  std::vector<MicroStepPasses> micro_steps;  // in order
  double optimizer_s = 0;                    // from the last backward's end to the step's end
};

StepPasses pass_times(const Schedule& schedule, const StepResult& result);

// The passes of one micro-step on average (the step's own figures for a single micro-step).
MicroStepPasses mean_micro_step(const StepPasses& passes);

// {"micro_steps": [{"forward_s", "backward_s"}], "optimizer_s"}: `passes` in simulate --json and in
// shardsim-run step's summary.
nlohmann::ordered_json passes_json(const StepPasses& passes);

// Predicted against measured, (predicted - measured) / measured per pass, the predicted passes
// averaged over the micro-steps; nullopt where the measured time is 0.
struct PassComparison {
  std::optional<double> forward, backward, optimizer;
};
PassComparison compare_passes(const StepPasses& predicted, const MeasuredPasses& measured);

}  // namespace shardsim
