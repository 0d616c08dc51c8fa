// MiCS: every model state sharded over a partition group of p ranks, replicated over the N/p
// groups. Parameter gathers run over the partition group, with MiCS's two-level hierarchical
// algorithm when the knob (mics_hierarchical_params_gather) is on and p spans nodes: within a
// node there is no hierarchy to exploit. Gradients are reduce-scattered every micro-step and
// accumulated in fp32; at the boundary one all-reduce of that fp32 shard (4 Psi / p bytes) over the
// replication group precedes the optimizer on Psi/p.
#include "sim/strategies/strategy_parts.hpp"
#include "sim/strategies/units.hpp"

namespace shardsim {

ResolvedStrategy resolve_mics(const Cluster& cluster, const StrategyConfig& config) {
  ResolvedStrategy r = partition_sharded(Strategy::mics, cluster, config);
  r.hierarchical_gather_knob = true;
  r.hierarchical_gather = config.hierarchical_gather && r.partition_size > r.gpus_per_node;
  gather_parameters_per_unit(r, r.hierarchical_gather ? Algorithm::hierarchical : Algorithm::ring);
  r.schedule.boundary_sync = replication_all_reduce(r, "ar-replication boundary", true);
  return r;
}

}  // namespace shardsim
