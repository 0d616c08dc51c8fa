// NCCL's double binary tree all-reduce as transfers (NCCL src/graph/trees.cc, src/device/
// all_reduce.h; Sanders et al., "Two-tree algorithms for full bandwidth broadcast, reduction and
// scan"). Inside each node the group's GPUs form a chain whose head talks to other nodes; across
// nodes two binary trees over the nodes, the second the mirror of the first, so a node that is
// interior in one is a leaf in the other, each carry half of the data. NCCL builds one such pair
// per channel, and a channel leaves the node through its own NIC, so the plan makes one pair per
// NIC the group's GPUs use, each carrying 1/(2C) of the vector, its chain headed by a GPU behind
// that NIC. The all-reduce is two transfer phases: the reduction toward the roots (every chain hop
// and tree edge carries its share at once, pipelined) and the broadcast back. Each phase pays the
// step latency of its depth: (k'-1) intra-node steps and log2(n) (rounded down, as NCCL's model)
// inter-node steps, from the shape when a backend model gives one, else from the routes.
#pragma once

#include "sim/collectives/collective.hpp"
#include "sim/topology/topology.hpp"

#include <optional>

namespace shardsim {

// Throws InputError for a group that holds different local ranks on different nodes.
CollectivePlan plan_tree_all_reduce(const Cluster& cluster, const std::vector<int>& group, double bytes,
                                    const std::optional<PhaseShape>& shape = std::nullopt);

}  // namespace shardsim
