// The selector: (collective, algorithm, group, bytes) -> the steps of that collective.
//   ring:          NCCL-style flat ring over the whole group, one channel per NIC (ring_order.hpp):
//                  AG and RS take p-1 steps of M/(p*C) per channel, AR 2(p-1).
//   hierarchical:  MiCS two-level, for groups holding the same local ranks on each of n nodes
//                  (k' of them): AG = inter-node AG among same-local-rank GPUs (n-1 steps of M/p),
//                  a reorder copy of M, then intra-node AG (k'-1 steps of M/k');
//                  RS = intra-node RS (k'-1 steps of M/k') then inter-node RS (n-1 steps of M/p);
//                  AR = intra RS, inter AR (2(n-1) steps of M/p), intra AG.
// Network bytes entering a node: ring (p-1)/p*M, hierarchical (p-k')/p*M (for AR twice that).
#pragma once

#include "sim/collectives/collective.hpp"
#include "sim/collectives/ring_order.hpp"
#include "sim/topology/topology.hpp"

namespace shardsim {

// Throws InputError for an empty group, ranks outside the cluster, repeated ranks, or a
// hierarchical request on a group that holds different local ranks on different nodes.
// `memo` (optional) carries ring-order searches across the plans of one simulation.
CollectivePlan plan_collective(const Cluster& cluster, CollectiveKind kind, Algorithm algorithm,
                               const std::vector<int>& group, double bytes, RingOrderMemo* memo = nullptr);

std::vector<int> world_group(const Cluster& cluster);

}  // namespace shardsim
