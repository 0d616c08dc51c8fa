#include "sim/scenario/simulation_size.hpp"

#include "sim/input/limits.hpp"

#include <fmt/format.h>

namespace shardsim {

void check_schedule_size(const StepConfig& step) {
  const std::int64_t layer_micro_steps = std::int64_t{step.model.layers} * step.accumulation_steps;
  if (layer_micro_steps > limits::kMaxLayerMicroSteps)
    throw SimulationTooLarge(fmt::format("{} layers x {} micro-steps = {} layer micro-steps in one step's schedule, more than the {} "
                                 "shardsim simulates (sim/input/limits.hpp); use fewer accumulation steps or layers",
                                 step.model.layers, step.accumulation_steps, layer_micro_steps, limits::kMaxLayerMicroSteps));
}

std::int64_t ring_steps(const Schedule& schedule) {
  std::int64_t steps = 0;
  for (const Op& op : schedule.program.ops) {
    const auto* c = std::get_if<CollectiveOp>(&op.body);
    if (c == nullptr) continue;
    const auto p = static_cast<std::int64_t>(schedule.groups.at(c->group).ranks.size());
    steps += (p - 1) * (c->kind == CollectiveKind::all_reduce ? 2 : 1);
  }
  return steps;
}

void check_simulation_size(const Schedule& schedule) {
  const std::int64_t steps = ring_steps(schedule);
  if (steps > limits::kMaxStepRingSteps)
    throw SimulationTooLarge(fmt::format("simulating this {} step on {} GPUs means {} ring steps, more than the {} shardsim simulates "
                                 "(sim/input/limits.hpp): use fewer GPUs or a strategy with smaller groups (mics, hybrid_shard)",
                                 schedule.strategy, schedule.world_size, steps, limits::kMaxStepRingSteps));
}

}  // namespace shardsim
