// Executes a schedule on the modelled cluster. Every op of the program starts when its
// dependencies are done and its stream is free. A compute op lasts compute_op_seconds
// (sim/compute/compute_time.hpp: its kernels' rooflines) while no collective of the rank is in
// flight; while collectives run it progresses at the slower rate their contention gives
// (sim/compute/interference.hpp), re-rated whenever one starts or ends, and the time so lost is
// `interference_s`. A copy reads and writes its bytes at HBM bandwidth. A collective
// op stands for its whole family: the same collective on every group of that role at once (the
// program is SPMD), so the k inter-node gathers of a node share its NICs and the replication
// all-reduces of all shards run together. All collectives in flight share one flow network, so a
// gradient reduce-scatter slows the next layer's gather where they meet on a link. Where the
// families are node-symmetric (node_symmetry.hpp) only one node's flows are simulated.
#pragma once

#include "sim/collsim/collective_execution.hpp"
#include "sim/collsim/formula_estimate.hpp"
#include "sim/collsim/library_plan.hpp"
#include "sim/compute/compute_time.hpp"
#include "sim/schedule/schedule.hpp"
#include "sim/topology/topology.hpp"

#include <string>
#include <vector>

namespace shardsim {

struct OpTiming {
  double start_s = -1;
  double end_s = -1;
};

struct CollectiveTotals {
  std::string role;
  std::string kind;
  int count = 0;
  double bytes = 0;   // per op, summed (nccl-tests convention)
  double busy_s = 0;  // summed durations
};

struct StepResult {
  double step_time_s = 0;
  double compute_busy_s = 0;   // sum of compute-stream op durations
  double exposed_comm_s = 0;   // step time not covered by compute
  double interference_s = 0;   // compute time lost to collectives in flight (sim/compute/interference.hpp)
  std::vector<OpTiming> ops;   // per op of the program
  // Per op: for a collective, its latency's and its FIFO waits' shares of its closed form as the
  // flows pay them (formula_estimate.hpp; 0 for Gloo and for other ops); they split exposed
  // communication (exposed_time.hpp).
  std::vector<ClosedFormShares> shares;
  std::vector<CollectiveTotals> collectives;
  NodeTraffic traffic;         // bytes per node over the whole step (busiest node)
  std::uint64_t events = 0;
  FlowModel model_used = FlowModel::per_flow;
};

// `library` runs the collectives (library_plan.hpp): Gloo's plain rings unless one is given.
StepResult simulate_step(const Cluster& cluster, const Schedule& schedule, FlowModel model = FlowModel::automatic,
                         const CollectiveLibrary& library = {});

}  // namespace shardsim
