// ZeRO-2: gradients and optimizer states sharded over all N ranks. Each micro-step reduce-scatters
// its gradients (a rank keeps only its shard); the boundary is ZeRO-1's.
#include "sim/strategies/strategy_parts.hpp"
#include "sim/strategies/units.hpp"

namespace shardsim {

ResolvedStrategy resolve_zero2(const Cluster& cluster, const StrategyConfig&) {
  const int n = cluster.gpus();
  ResolvedStrategy r = world_sharded(Strategy::zero2, cluster, {1, n, n});
  r.schedule.sync_every_micro_step = true;
  gather_updated_parameters(r);
  return r;
}

}  // namespace shardsim
