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

#include <optional>

namespace shardsim {

double formula_time_s(const Cluster& cluster, const CollectivePlan& plan);

// What the closed form of a plan is made of, as fractions of it: the per-step latencies the
// pipeline does not hide (the plan without its FIFO bound, less the plan with every shaped latency
// and every transfer phase's latency at 0) and the FIFO's slot waits (the plan, less the plan
// without its FIFO bound); the rest is the wire. Latency a slow link's transfer hides counts for
// nothing. Both 0 for a plan costing nothing.
struct ClosedFormShares {
  double latency = 0;
  double fifo = 0;
};
ClosedFormShares closed_form_shares(const Cluster& cluster, const CollectivePlan& plan);

// A ring phase whose steps its connections' FIFO bounds (alpha_beta.hpp fifo_step_floor_s) rather
// than the wire or the pipelined latency: what one step sends and what each bound costs.
struct FifoBoundStep {
  int messages = 0;        // per connection and step
  int in_flight = 0;       // slots' worth of messages a connection holds
  double hop_latency_s = 0;
  double floor_s = 0;      // the FIFO's bound on one step
  double other_s = 0;      // the larger of the wire's and the pipelined latency's
};
// The first ring phase of `plan` that is FIFO-bound in the closed form, if any.
std::optional<FifoBoundStep> fifo_bound_step(const Cluster& cluster, const CollectivePlan& plan);

}  // namespace shardsim
