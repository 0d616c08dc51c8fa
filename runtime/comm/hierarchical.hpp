// MiCS's two-level collectives on any Communicator (CPU or GPU memory alike), executing the very
// phases the simulator costs: sim/collectives/plan.hpp's `collective_phases` for the group's shape
// is the one description of the algorithm, and this class walks it phase by phase, taking every
// call's size from the phase (a plan the executor does not follow is a std::logic_error, never a
// silent difference). A group whose m*k ranks sit k to a node, block-wise (group rank =
// node*k + local), is split into an intra-node communicator (the k ranks of a node) and an
// inter-node one (the m ranks with the same local index). As DeepSpeed's `mics` gather:
// all-gather = inter-node all-gather of the rank's shard (m chunks), a copy of those chunks to
// their places in the output, then m in-place intra-node all-gathers, one per node block of the
// output; reduce-scatter = m intra-node reduce-scatters, one per node block, then one inter-node
// reduce-scatter of the m partial sums; all-reduce = intra-node reduce-scatter, inter-node
// all-reduce of the rank's 1/k, intra-node all-gather. Results equal the flat calls'.
#pragma once

#include "runtime/comm/communicator.hpp"
#include "sim/collectives/collective.hpp"

#include <memory>
#include <string>
#include <vector>

namespace shardsim::runtime {

struct NodeLayout {
  int nodes = 1;           // m
  int ranks_per_node = 1;  // k
};

// One call the executor made, as it made it: a collective on the intra- or inter-node
// communicator (bytes in nccl-tests' convention, from the call's own count) or a local copy.
// Tests compare this log with the plan's phases.
struct ExecutedPhase {
  bool copy = false;
  PhaseScope scope = PhaseScope::group;
  CollectiveKind kind = CollectiveKind::all_gather;
  double bytes = 0;
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
  // all_reduce's count must be a multiple of the ranks per node.
  void run(CollectiveKind kind, const void* send, void* recv, std::size_t count, DataType type);
  void synchronize();

  // Every call made from now on is appended to `log` (nullptr: stop recording).
  void record_calls(std::vector<ExecutedPhase>* log) { log_ = log; }

 private:
  class Cursor;
  void all_gather(Cursor& phases, const void* send, void* recv, std::size_t count, DataType type);
  void reduce_scatter(Cursor& phases, const void* send, void* recv, std::size_t count, DataType type);
  void all_reduce(Cursor& phases, const void* send, void* recv, std::size_t count, DataType type);
  void call(PhaseScope scope, CollectiveKind kind, const void* send, void* recv, std::size_t count, DataType type);
  void copy(void* destination, const void* source, std::size_t bytes);
  Buffer& scratch(std::size_t bytes);

  Communicator& group_;
  NodeLayout layout_;
  std::unique_ptr<Communicator> intra_;
  std::unique_ptr<Communicator> inter_;
  Buffer scratch_;  // m chunks between the two levels
  std::vector<ExecutedPhase>* log_ = nullptr;
};

// What the layout check decides, from every group rank's node (index = group rank). Throws
// RuntimeError naming the problem when the layout is not m nodes x k ranks, block-wise.
NodeLayout node_layout_of(const std::vector<int>& node_of_group_rank);

}  // namespace shardsim::runtime
