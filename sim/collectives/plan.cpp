#include "sim/collectives/plan.hpp"

#include "sim/collectives/pat_plan.hpp"
#include "sim/collectives/ring_order.hpp"
#include "sim/collectives/tree_plan.hpp"
#include "sim/input/input_error.hpp"

#include <fmt/format.h>

#include <numeric>
#include <set>

namespace shardsim {
namespace {

void add_ring(std::vector<PlanPhase>& phases, std::string label, CollectiveKind kind, PhaseScope scope,
              double collective_bytes, int group_size) {
  if (group_size < 2) return;
  RingPhase ring;
  ring.label = std::move(label);
  ring.kind = kind;
  ring.scope = scope;
  ring.collective_bytes = collective_bytes;
  ring.group_size = group_size;
  ring.steps = kind == CollectiveKind::all_reduce ? 2 * (group_size - 1) : group_size - 1;
  ring.reducing_steps = kind == CollectiveKind::all_gather ? 0 : group_size - 1;
  phases.emplace_back(std::move(ring));
}

// One intra-node collective per node block of the output (all-gather) or input (reduce-scatter).
void add_node_blocks(std::vector<PlanPhase>& phases, CollectiveKind kind, GroupShape shape, double bytes) {
  for (int block = 0; block < shape.nodes; ++block)
    add_ring(phases, fmt::format("intra-node {}, node block {} of {}", to_string(kind), block, shape.nodes), kind,
             PhaseScope::intra_node, bytes / shape.nodes, shape.ranks_per_node);
}


void check_group(const Cluster& cluster, const std::vector<int>& group, double bytes) {
  if (group.empty()) throw InputError("the collective's group is empty");
  std::set<int> seen;
  for (int r : group) {
    if (r < 0 || r >= cluster.gpus())
      throw InputError(fmt::format("rank {} is outside the cluster of {} GPUs", r, cluster.gpus()));
    if (!seen.insert(r).second) throw InputError(fmt::format("rank {} appears twice in the group", r));
  }
  if (!(bytes > 0)) throw InputError("a collective must move a positive number of bytes");
}

}  // namespace

// The ranks each group of a phase's scope holds.
std::vector<std::vector<int>> scope_groups(const Cluster& cluster, PhaseScope scope, const std::vector<int>& group) {
  if (scope == PhaseScope::group) return {group};
  const GroupLayout layout = layout_of(cluster, group);
  const int k = cluster.instance.gpus_per_node;
  std::vector<std::vector<int>> groups;
  if (scope == PhaseScope::inter_node) {
    for (int l : layout.locals.front()) {
      std::vector<int> g;
      for (int node : layout.nodes) g.push_back(node * k + l);
      groups.push_back(std::move(g));
    }
    return groups;
  }
  for (std::size_t i = 0; i < layout.nodes.size(); ++i) {
    std::vector<int> g;
    for (int l : layout.locals[i]) g.push_back(layout.nodes[i] * k + l);
    groups.push_back(std::move(g));
  }
  return groups;
}

std::vector<PlanPhase> collective_phases(CollectiveKind kind, Algorithm algorithm, GroupShape shape, double bytes) {
  if (shape.nodes < 1 || shape.ranks_per_node < 1) throw InputError("the collective's group is empty");
  if (!(bytes > 0)) throw InputError("a collective must move a positive number of bytes");
  if (algorithm == Algorithm::tree || algorithm == Algorithm::nvls_tree || algorithm == Algorithm::pat)
    throw InputError(fmt::format("the {} algorithm runs only inside NCCL: its phases need the cluster (plan_collective)",
                                 to_string(algorithm)));
  std::vector<PlanPhase> phases;
  const int n = shape.nodes;
  const int per_node = shape.ranks_per_node;
  if (algorithm == Algorithm::ring) {
    add_ring(phases, fmt::format("flat {}", to_string(kind)), kind, PhaseScope::group, bytes, shape.size());
    return phases;
  }
  const double inter_bytes = bytes / per_node;  // the inter-node collective's M
  switch (kind) {
    case CollectiveKind::all_gather:
      add_ring(phases, "inter-node all_gather", kind, PhaseScope::inter_node, inter_bytes, n);
      // DeepSpeed's param_chunk.copy_: the n gathered shards go to their places in the output.
      if (n > 1 && per_node > 1) phases.emplace_back(CopyPhase{"place inter-node shards", inter_bytes});
      add_node_blocks(phases, kind, shape, bytes);
      break;
    case CollectiveKind::reduce_scatter:
      add_node_blocks(phases, kind, shape, bytes);
      add_ring(phases, "inter-node reduce_scatter", kind, PhaseScope::inter_node, inter_bytes, n);
      break;
    case CollectiveKind::all_reduce:
      add_ring(phases, "intra-node reduce_scatter", CollectiveKind::reduce_scatter, PhaseScope::intra_node, bytes, per_node);
      add_ring(phases, "inter-node all_reduce", kind, PhaseScope::inter_node, inter_bytes, n);
      add_ring(phases, "intra-node all_gather", CollectiveKind::all_gather, PhaseScope::intra_node, bytes, per_node);
      break;
  }
  return phases;
}

std::vector<int> world_group(const Cluster& cluster) {
  std::vector<int> g(cluster.gpus());
  std::iota(g.begin(), g.end(), 0);
  return g;
}

CollectivePlan plan_collective(const Cluster& cluster, CollectiveKind kind, Algorithm algorithm,
                               const std::vector<int>& group, double bytes, RingOrderMemo* memo) {
  check_group(cluster, group, bytes);
  if (algorithm == Algorithm::tree) {
    if (kind != CollectiveKind::all_reduce)
      throw InputError(fmt::format("NCCL has no tree {} (only all_reduce runs as a tree)", to_string(kind)));
    return plan_tree_all_reduce(cluster, group, bytes);
  }
  if (algorithm == Algorithm::nvls_tree) {
    if (kind != CollectiveKind::all_reduce)
      throw InputError(fmt::format("NCCL has no NVLS-tree {} (only all_reduce runs as an NVLS tree)", to_string(kind)));
    return plan_nvls_tree_all_reduce(cluster, group, bytes);
  }
  if (algorithm == Algorithm::pat) return plan_pat(cluster, kind, group, bytes);
  CollectivePlan plan;
  plan.kind = kind;
  plan.algorithm = algorithm;
  plan.group = group;
  plan.bytes = bytes;
  GroupShape shape{1, static_cast<int>(group.size())};
  if (algorithm == Algorithm::hierarchical) {
    const GroupLayout layout = layout_of(cluster, group);
    if (!layout.uniform)
      throw InputError("the hierarchical algorithm needs a group that holds the same local ranks on every node it spans");
    shape = GroupShape{static_cast<int>(layout.nodes.size()), static_cast<int>(layout.locals.front().size())};
  }
  plan.phases = collective_phases(kind, algorithm, shape, bytes);
  // The node orders are the same for every group of a phase (one search per distinct node shape,
  // not one per group: 131072 intra-node groups would each search the node's 8! orders).
  RingOrderMemo own_memo;
  if (memo == nullptr) memo = &own_memo;
  for (auto& phase : plan.phases) {
    auto* ring = std::get_if<RingPhase>(&phase);
    if (!ring) continue;
    // Every group of the scope runs the same collective at once: one phase holding all their rings.
    for (const auto& g : scope_groups(cluster, ring->scope, group)) {
      auto rings = build_channel_rings(cluster, g, memo);
      const int channels = static_cast<int>(rings.size());
      plan.channels = std::max(plan.channels, channels);
      ring->bytes_per_step = ring->collective_bytes / (static_cast<double>(ring->group_size) * channels);
      for (auto& r : rings) ring->rings.push_back(std::move(r));
    }
  }
  return plan;
}

}  // namespace shardsim
