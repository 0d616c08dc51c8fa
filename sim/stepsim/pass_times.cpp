#include "sim/stepsim/pass_times.hpp"

#include <algorithm>

namespace shardsim {

StepPasses pass_times(const Schedule& schedule, const StepResult& result) {
  const auto& ops = schedule.program.ops;
  const std::size_t n = std::min(ops.size(), result.ops.size());
  // The optimizer step: the "optimizer" op and everything that depends on it (deps point to
  // earlier ops, so one pass in program order finds them all).
  std::vector<bool> in_step(n, false);
  for (std::size_t i = 0; i < n; ++i) {
    in_step[i] = ops[i].label == "optimizer";
    for (int d : ops[i].deps)
      if (d >= 0 && static_cast<std::size_t>(d) < n && in_step[static_cast<std::size_t>(d)]) in_step[i] = true;
  }
  const int micro_steps = std::max(1, schedule.micro_steps);
  std::vector<double> forward_end(static_cast<std::size_t>(micro_steps), 0), backward_end(static_cast<std::size_t>(micro_steps), 0);
  for (std::size_t i = 0; i < n; ++i) {
    if (in_step[i]) continue;
    const int m = std::clamp(ops[i].micro_step, 0, micro_steps - 1);
    const double end = result.ops[i].end_s;
    if (ops[i].stream == Stream::compute && ops[i].label.rfind("fwd ", 0) == 0)
      forward_end[static_cast<std::size_t>(m)] = std::max(forward_end[static_cast<std::size_t>(m)], end);
    backward_end[static_cast<std::size_t>(m)] = std::max(backward_end[static_cast<std::size_t>(m)], end);
  }
  StepPasses out;
  double previous_end = 0;
  for (int m = 0; m < micro_steps; ++m) {
    const auto k = static_cast<std::size_t>(m);
    const double fwd_end = std::max(forward_end[k], previous_end);
    const double bwd_end = std::max(backward_end[k], fwd_end);
    out.micro_steps.push_back({fwd_end - previous_end, bwd_end - fwd_end});
    previous_end = bwd_end;
  }
  out.optimizer_s = std::max(0.0, result.step_time_s - previous_end);
  return out;
}

MicroStepPasses mean_micro_step(const StepPasses& passes) {
  MicroStepPasses mean;
  for (const MicroStepPasses& m : passes.micro_steps) {
    mean.forward_s += m.forward_s;
    mean.backward_s += m.backward_s;
  }
  const double n = static_cast<double>(std::max<std::size_t>(1, passes.micro_steps.size()));
  mean.forward_s /= n;
  mean.backward_s /= n;
  return mean;
}

nlohmann::ordered_json passes_json(const StepPasses& passes) {
  nlohmann::ordered_json micro = nlohmann::ordered_json::array();
  for (const MicroStepPasses& p : passes.micro_steps) micro.push_back({{"forward_s", p.forward_s}, {"backward_s", p.backward_s}});
  return {{"micro_steps", std::move(micro)}, {"optimizer_s", passes.optimizer_s}};
}

PassComparison compare_passes(const StepPasses& predicted, const MeasuredPasses& measured) {
  const MicroStepPasses mean = mean_micro_step(predicted);
  const auto error = [](double p, double m) { return m > 0 ? std::optional<double>(p / m - 1) : std::nullopt; };
  return {error(mean.forward_s, measured.forward_s), error(mean.backward_s, measured.backward_s),
          error(predicted.optimizer_s, measured.optimizer_s)};
}

}  // namespace shardsim
