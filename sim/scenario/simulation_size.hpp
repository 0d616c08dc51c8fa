// How much work simulating one training step is, measured before doing it, so that a step too
// large to simulate in minutes (ZeRO-3 over a million GPUs, a schedule of millions of layer
// micro-steps) is refused with the quantity and its limit (sim/input/limits.hpp) instead of
// exhausting memory or running for hours.
#pragma once

#include "sim/input/input_error.hpp"
#include "sim/schedule/schedule.hpp"
#include "sim/strategies/step_config.hpp"

#include <cstdint>

namespace shardsim {

// A step beyond these limits: the planner marks such a candidate as not simulated and goes on
// with the others, where a single simulation reports it as an input error.
class SimulationTooLarge : public InputError {
 public:
  using InputError::InputError;
};

// Layers x micro-steps: what the schedule's size grows with. Checked before compiling it; throws
// SimulationTooLarge.
void check_schedule_size(const StepConfig& step);

// The sum over the program's collectives of the steps of a flat ring over their group: p - 1 for a
// gather or reduce-scatter, 2(p - 1) for an all-reduce (an upper bound for hierarchical ones).
std::int64_t ring_steps(const Schedule& schedule);

// Throws SimulationTooLarge when ring_steps(schedule) exceeds limits::kMaxStepRingSteps.
void check_simulation_size(const Schedule& schedule);

}  // namespace shardsim
