// The node-symmetric reduction. Let S be the nodes a set of rings touches. If a group G of
// permutations of S acts on S regularly (exactly one element maps any node to any other), keeps
// every GPU's local rank, and maps each phase's set of rings onto itself, then every node sees the
// same traffic, and the flows leaving one representative node stand for all: a flow from the
// representative to node j uses node j's links, which carry exactly what the representative's
// matching links carry, so it is simulated on the representative's own links. Each simulated flow
// then stands for |S| real ones. G is searched among the groups Z_b x Z_{|S|/b} (rotate within
// blocks of b consecutive nodes, shift by whole blocks), which cover world rings, partition groups
// of whole nodes, replication groups across them and intra-node groups. One more condition makes a
// ring's lockstep exact: the only image of a ring that passes through the representative is the
// ring itself. A transfer phase (transfers that start together, each on its own: PAT's steps, a
// tree) qualifies when G maps its transfers, with their sizes and paths, onto themselves; it needs
// no lockstep condition. PAT's steps do (every rank sends the same bytes the same distance along
// the group); a tree's do not (its roots are fixed). Where anything fails, the caller falls back
// to simulating every flow.
#pragma once

#include "sim/collectives/collective.hpp"
#include "sim/topology/topology.hpp"

#include <optional>
#include <vector>

namespace shardsim {

struct NodeSymmetry {
  int representative_node = 0;
  int nodes = 1;       // |S|: how many real flows each simulated flow stands for
  int block_size = 1;  // b
};

// `phases` holds each phase's rings (global ranks, cyclic order); `transfer_phases` each transfer
// phase's transfers.
std::optional<NodeSymmetry> find_node_symmetry(const Cluster& cluster,
                                               const std::vector<const std::vector<std::vector<int>>*>& phases,
                                               const std::vector<const std::vector<Transfer>*>& transfer_phases = {});

}  // namespace shardsim
