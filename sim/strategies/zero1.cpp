// ZeRO-1: optimizer states sharded over all N ranks. Gradients are kept whole until the boundary,
// reduce-scattered there, the optimizer updates Psi/N, and the updated shards are all-gathered.
#include "sim/strategies/strategy_parts.hpp"
#include "sim/strategies/units.hpp"

namespace shardsim {

ResolvedStrategy resolve_zero1(const Cluster& cluster, const StrategyConfig&) {
  ResolvedStrategy r = world_sharded(Strategy::zero1, cluster, {1, 1, cluster.gpus()});
  gather_updated_parameters(r);
  return r;
}

}  // namespace shardsim
