// ZeRO++ hpZ: ZeRO-3 plus a secondary copy of the parameters sharded within a node (the
// configured hpZ partition, or the whole node), so backward gathers stay on intra-node links.
#include "sim/strategies/strategy_parts.hpp"
#include "sim/strategies/units.hpp"

#include <algorithm>

namespace shardsim {

ResolvedStrategy resolve_zeropp_hpz(const Cluster& cluster, const StrategyConfig& config) {
  const int n = cluster.gpus();
  const int k = cluster.instance.gpus_per_node;
  ResolvedStrategy r = world_sharded(Strategy::zeropp_hpz, cluster, {n, n, n});
  gather_parameters_per_unit(r, Algorithm::ring);
  r.groups.hpz = config.hpz_partition_size > 0 ? config.hpz_partition_size : k;
  r.schedule.backward_gather->group = GroupRole::intra_node;
  // The memory estimate counts the secondary copy over the whole node (capped at N), whatever
  // the hpZ partition size: kept as it was when this moved here.
  r.memory.secondary_parameters = std::min(k, n);
  return r;
}

}  // namespace shardsim
