// The closed-form estimate of a planned collective on a real topology: alpha and B read off the
// routes the plan uses (the slowest ring's pipelined step latency; the narrowest hop's capacity
// times the number of channels or NICs in use), R the GPU's reduction rate; where a backend shaped
// the phases (NCCL's protocol), its start-up and per-step latencies and its bandwidth efficiency,
// as the flows pay them. Shown beside the simulated time; it ignores contention between flows,
// which is exactly what the simulation adds.
#pragma once

#include "sim/collectives/collective.hpp"
#include "sim/formulas/alpha_beta.hpp"
#include "sim/topology/topology.hpp"

namespace shardsim {

double formula_time_s(const Cluster& cluster, const CollectivePlan& plan);

}  // namespace shardsim
