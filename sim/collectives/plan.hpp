// The one description of each collective algorithm: (collective, algorithm, group shape, bytes)
// -> its phases. `collective_phases` needs only the group's shape, so the live runtime, which has
// no topology, executes exactly the phases the simulator costs; `plan_collective` adds the rings
// each phase runs on the modelled cluster (ring_order.hpp: one channel per NIC).
//   ring:          NCCL-style flat ring over the whole group: AG and RS take p-1 steps of
//                  M/(p*C) per channel, AR 2(p-1).
//   hierarchical:  MiCS two-level, for groups holding the same k' local ranks on each of n nodes,
//                  as DeepSpeed's `mics` gather runs it (runtime/zero/mics.py,
//                  _hierarchical_all_gather_params):
//     AG = inter-node AG among same-local-rank GPUs (n-1 steps of M/p), a copy of the gathered
//          M/k' bytes to their places in the output, then n intra-node in-place AGs, one per
//          node block of the output (each k'-1 steps of M/p; DeepSpeed coalesces them into one
//          launch on the intra-node communicator, which runs them one after another);
//     RS = its mirror: n intra-node RSs, one per node block (k'-1 steps of M/p each), then an
//          inter-node RS of the n partial sums (n-1 steps of M/p); no copy;
//     AR = intra-node RS of M, inter-node AR of M/k' (2(n-1) steps of M/p), intra-node AG of M.
//   tree:          NCCL's double binary tree all-reduce (tree_plan.hpp); all-reduce only.
// Network bytes entering a node: ring (p-1)/p*M, hierarchical (p-k')/p*M (for AR twice that).
#pragma once

#include "sim/collectives/collective.hpp"
#include "sim/collectives/ring_order.hpp"
#include "sim/topology/topology.hpp"

namespace shardsim {

// A group of nodes x ranks_per_node ranks placed block-wise (group rank = node * k' + local).
struct GroupShape {
  int nodes = 1;
  int ranks_per_node = 1;
  int size() const { return nodes * ranks_per_node; }
};

// The phases of a collective over a group of this shape (rings left empty). Phases whose groups
// hold a single rank are omitted. Throws InputError for bytes <= 0 or an empty shape.
std::vector<PlanPhase> collective_phases(CollectiveKind kind, Algorithm algorithm, GroupShape shape, double bytes);

// Throws InputError for an empty group, ranks outside the cluster, repeated ranks, or a
// hierarchical request on a group that holds different local ranks on different nodes.
// `memo` (optional) carries ring-order searches across the plans of one simulation.
CollectivePlan plan_collective(const Cluster& cluster, CollectiveKind kind, Algorithm algorithm,
                               const std::vector<int>& group, double bytes, RingOrderMemo* memo = nullptr);

std::vector<int> world_group(const Cluster& cluster);

// The ranks of each group a phase of `group`'s plan runs on: the group itself, its inter-node
// groups (one per local rank, one rank per node) or its intra-node groups (one per node).
std::vector<std::vector<int>> scope_groups(const Cluster& cluster, PhaseScope scope, const std::vector<int>& group);

}  // namespace shardsim
