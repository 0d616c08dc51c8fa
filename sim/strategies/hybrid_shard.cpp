// FSDP1 HYBRID_SHARD: MiCS's groups with flat gathers; after each reduce-scatter of a gradient
// bucket, every micro-step, the rank's shard of it (1/p) is all-reduced over the replication group.
#include "sim/strategies/strategy_parts.hpp"
#include "sim/strategies/units.hpp"

namespace shardsim {

ResolvedStrategy resolve_hybrid_shard(const Cluster& cluster, const StrategyConfig& config) {
  ResolvedStrategy r = partition_sharded(Strategy::hybrid_shard, cluster, config);
  gather_parameters_per_unit(r, Algorithm::ring);
  if (auto sync = replication_all_reduce(r, "ar-replication", false)) r.schedule.gradient_sync.push_back(*sync);
  return r;
}

}  // namespace shardsim
