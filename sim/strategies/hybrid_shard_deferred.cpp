// HYBRID_SHARD with the replication all-reduce deferred to the accumulation boundary, as MiCS
// does, but in the model's precision: one all-reduce of the rank's accumulated shard (Psi / p).
#include "sim/strategies/strategy_parts.hpp"
#include "sim/strategies/units.hpp"

namespace shardsim {

ResolvedStrategy resolve_hybrid_shard_deferred(const Cluster& cluster, const StrategyConfig& config) {
  ResolvedStrategy r = partition_sharded(Strategy::hybrid_shard_deferred, cluster, config);
  gather_parameters_per_unit(r, Algorithm::ring);
  r.schedule.boundary_sync = replication_all_reduce(r, "ar-replication boundary", false);
  return r;
}

}  // namespace shardsim
