// When a plan has nothing to recommend, and what would change that. A sweep where no candidate
// fits in memory, none that fits could be simulated, or the constraints (--budget, --max-nodes)
// exclude every one that fits is a user error: one line saying which candidate came closest and
// the change that helps, chosen from what took the memory (more sharding helps model states, not
// activations; activations shrink with a smaller micro-batch, checkpointing or more GPUs) and from
// what the sweep already holds (it never suggests a strategy already swept).
#pragma once

#include "sim/planner/planner.hpp"

#include <string>

namespace shardsim {

// The change that makes `closest` (a candidate that does not fit) fit, as flags to try.
std::string memory_hint(const PlanRequest& request, const Candidate& closest);

// Throws InputError when `plan` recommends nothing, naming why and what to change.
void check_rankable(const PlanRequest& request, const PlanResult& plan);

}  // namespace shardsim
