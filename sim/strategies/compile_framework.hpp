// The step as a real framework runs it (framework_profile.hpp): the model's leaf modules with
// their weight tensors (model/weights.hpp), gathered and reduced at the framework's granularity
// (per tensor, per fetch set, per block), prefetched as its prefetch loop does (by elements up to
// stage3_prefetch_bucket_size, or the next block), with the framework's Python thread as a host
// stream: every hook, pre-launch and launch takes host time, device ops wait for the host op that
// launches them, torch.cuda.synchronize() is a host op depending on the last op of every device
// stream, and caps on gathers or reduces in flight are host ops waiting for the oldest. What the
// strategy gathers and reduces over which group comes from its StrategySchedule, as for the
// reference compiler (compile.hpp).
#pragma once

#include "sim/schedule/schedule.hpp"
#include "sim/strategies/resolved_strategy.hpp"
#include "sim/strategies/step_config.hpp"
#include "sim/topology/topology.hpp"

namespace shardsim {

Schedule compile_framework_schedule(const Cluster& cluster, const StepConfig& config, const ResolvedStrategy& resolved, int rank);

}  // namespace shardsim
