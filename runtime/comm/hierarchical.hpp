// MiCS's two-level collectives on any Communicator (CPU or GPU memory alike). A group whose m*k
// ranks sit k to a node, block-wise (group rank = node*k + local), is split into an intra-node
// communicator (the k ranks of a node) and an inter-node one (the m ranks with the same local
// index). All-gather runs inter-node first, so only a rank's own shard crosses the network
// ((m-1)/m of the flat ring's inter-node bytes per rank and k times fewer bytes per node), then m
// intra-node all-gathers, one per node block, each writing straight into its place in the output:
// the result has exactly the flat all-gather's layout, with no copy or transpose. Reduce-scatter
// mirrors it (m intra-node reduce-scatters, then one inter-node reduce-scatter), and all-reduce is
// the two-level reduce-scatter followed by the two-level all-gather.
#pragma once

#include "runtime/comm/communicator.hpp"

#include <memory>
#include <string>
#include <vector>

namespace shardsim::runtime {

struct NodeLayout {
  int nodes = 1;           // m
  int ranks_per_node = 1;  // k
};

class HierarchicalCollectives {
 public:
  // Collective over `group`. `node` is this rank's node (any integer naming the machine); throws
  // RuntimeError unless every node holds the same number of group ranks, placed block-wise.
  HierarchicalCollectives(Communicator& group, int node, const std::string& tag);

  NodeLayout layout() const { return layout_; }
  Communicator& intra_node() { return *intra_; }
  Communicator& inter_node() { return *inter_; }

  // Same conventions (count per rank, in-place pointers) and same results as the flat calls.
  void all_gather(const void* send, void* recv, std::size_t count, DataType type);
  void reduce_scatter(const void* send, void* recv, std::size_t count, DataType type);
  // count must be a multiple of the group size (it runs as reduce-scatter + all-gather).
  void all_reduce(const void* send, void* recv, std::size_t count, DataType type);
  void synchronize();

 private:
  Buffer& scratch(std::size_t bytes);

  Communicator& group_;
  NodeLayout layout_;
  std::unique_ptr<Communicator> intra_;
  std::unique_ptr<Communicator> inter_;
  Buffer scratch_;  // m chunks between the two levels
  Buffer shard_;    // all_reduce's reduce-scatter result
};

// What the layout check decides, from every group rank's node (index = group rank). Throws
// RuntimeError naming the problem when the layout is not m nodes x k ranks, block-wise.
NodeLayout node_layout_of(const std::vector<int>& node_of_group_rank);

}  // namespace shardsim::runtime
