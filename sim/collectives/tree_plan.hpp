// NCCL's double binary tree all-reduce as transfers (NCCL src/graph/trees.cc, src/device/
// all_reduce.h; Sanders et al., "Two-tree algorithms for full bandwidth broadcast, reduction and
// scan"). Inside each node the group's GPUs form a chain whose head talks to other nodes; across
// nodes two binary trees over the nodes, the second the mirror of the first, so a node that is
// interior in one is a leaf in the other, each carry half of the data. NCCL builds one such pair
// per channel, and a channel leaves the node through its own NIC, so the plan makes one pair per
// NIC the group's GPUs use, each carrying 1/(2C) of the vector, its chain headed by a GPU behind
// that NIC. The all-reduce is one transfer phase: the reduction toward the roots and the broadcast
// back run at once (runTreeSplit, src/device/all_reduce.h: separate thread groups), every chain hop
// and tree edge carrying its share in both directions, pipelined. The phase pays the step latency
// of the depth down and up: 2 ((k'-1) intra-node steps + log2(n) inter-node steps, rounded down as
// NCCL's model), from the shape when a backend model gives one, else from the routes.
#pragma once

#include "sim/collectives/collective.hpp"
#include "sim/topology/topology.hpp"

#include <optional>

namespace shardsim {

// Throws InputError for a group that holds different local ranks on different nodes.
CollectivePlan plan_tree_all_reduce(const Cluster& cluster, const std::vector<int>& group, double bytes,
                                    const std::optional<PhaseShape>& shape = std::nullopt);

// NCCL's NVLS_TREE all-reduce (NCCL >= 2.18, src/device/all_reduce.h RunWorkElement<NCCL_ALGO_NVLS_TREE>:
// scatter, reduce, broadcast and gather run at once in separate thread groups, so one transfer
// phase). Inside each node NVLink SHARP: every member sends its whole vector to the NVSwitch once
// (multimem.ld_reduce of every slice: M up each GPU's NVLink), the switch hands each head the sum
// of its slice (M/H down, H heads: the members behind distinct NICs, as the tree's channels);
// across nodes each head runs a double binary tree over the nodes on its slice (half per tree,
// reduce up and broadcast down at once); then each head writes its reduced slice to the switch
// once (multimem.st: M/H up) and the switch multicasts it to every member (M down each GPU). The
// phase pays NCCL's NVLS_TREE latency from the shape: base + one intra step + 2 log2(n) inter steps.
// On one node this is NCCL's NVLS all-reduce (RunWorkElement<NCCL_ALGO_NVLS>: the same reduce-
// scatter through multimem.ld_reduce and all-gather through multimem.st, no network part).
// Throws InputError for a non-uniform group, fewer than 2 members per node, or an instance
// without an NVSwitch.
CollectivePlan plan_nvls_tree_all_reduce(const Cluster& cluster, const std::vector<int>& group, double bytes,
                                         const std::optional<PhaseShape>& shape = std::nullopt);

// The global links a transfer's bytes cross, appended to `out`; returns their latency.
double transfer_route(const Cluster& cluster, const Transfer& transfer, std::vector<int>& out);

}  // namespace shardsim
