// ZeRO-3: parameters, gradients and optimizer states sharded over all N ranks. Each unit's
// parameters are all-gathered over the world before its forward and again before its backward;
// gradients are reduce-scattered every micro-step; the optimizer updates Psi/N.
#include "sim/strategies/strategy_parts.hpp"
#include "sim/strategies/units.hpp"

namespace shardsim {

ResolvedStrategy resolve_zero3(const Cluster& cluster, const StrategyConfig&) {
  const int n = cluster.gpus();
  ResolvedStrategy r = world_sharded(Strategy::zero3, cluster, {n, n, n});
  gather_parameters_per_unit(r, Algorithm::ring);
  return r;
}

}  // namespace shardsim
