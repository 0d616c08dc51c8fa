#include "sim/collectives/plan.hpp"

#include "sim/collectives/ring_order.hpp"
#include "sim/input/input_error.hpp"

#include <fmt/format.h>

#include <numeric>
#include <set>

namespace shardsim {
namespace {

PlanPhase ring_phase(std::string label, std::vector<std::vector<int>> rings, double bytes_per_step, int steps,
                     int reducing_steps) {
  PlanPhase p;
  p.ring = RingPhase{std::move(label), std::move(rings), bytes_per_step, steps, reducing_steps};
  return p;
}

void add_flat(CollectivePlan& plan, const Cluster& cluster, CollectiveKind kind, const std::vector<int>& group,
              double bytes, const std::string& scope, RingOrderMemo* memo) {
  const int p = static_cast<int>(group.size());
  if (p < 2) return;
  auto rings = build_channel_rings(cluster, group, memo);
  const int channels = static_cast<int>(rings.size());
  plan.channels = std::max(plan.channels, channels);
  const double per_step = bytes / (static_cast<double>(p) * channels);
  const int steps = kind == CollectiveKind::all_reduce ? 2 * (p - 1) : p - 1;
  const int reducing_steps = kind == CollectiveKind::all_gather ? 0 : p - 1;
  plan.phases.push_back(
      ring_phase(fmt::format("{} {}", scope, to_string(kind)), std::move(rings), per_step, steps, reducing_steps));
}

// Several disjoint groups doing the same collective at once, as one phase.
void add_concurrent(CollectivePlan& plan, const Cluster& cluster, CollectiveKind kind,
                    const std::vector<std::vector<int>>& groups, double bytes_per_group, const std::string& scope,
                    RingOrderMemo* memo) {
  PlanPhase merged;
  bool first = true;
  for (const auto& g : groups) {
    CollectivePlan one;
    add_flat(one, cluster, kind, g, bytes_per_group, scope, memo);
    if (one.phases.empty()) return;
    if (first) { merged = one.phases.front(); first = false; continue; }
    for (auto& r : one.phases.front().ring.rings) merged.ring.rings.push_back(std::move(r));
  }
  if (!first) plan.phases.push_back(std::move(merged));
}

}  // namespace

std::vector<int> world_group(const Cluster& cluster) {
  std::vector<int> g(cluster.gpus());
  std::iota(g.begin(), g.end(), 0);
  return g;
}

CollectivePlan plan_collective(const Cluster& cluster, CollectiveKind kind, Algorithm algorithm,
                               const std::vector<int>& group, double bytes, RingOrderMemo* memo) {
  if (group.empty()) throw InputError("the collective's group is empty");
  std::set<int> seen;
  for (int r : group) {
    if (r < 0 || r >= cluster.gpus())
      throw InputError(fmt::format("rank {} is outside the cluster of {} GPUs", r, cluster.gpus()));
    if (!seen.insert(r).second) throw InputError(fmt::format("rank {} appears twice in the group", r));
  }
  if (!(bytes > 0)) throw InputError("a collective must move a positive number of bytes");
  CollectivePlan plan;
  plan.kind = kind;
  plan.algorithm = algorithm;
  plan.group = group;
  plan.bytes = bytes;
  if (algorithm == Algorithm::ring) {
    add_flat(plan, cluster, kind, group, bytes, "flat", memo);
    return plan;
  }
  const GroupLayout layout = layout_of(cluster, group);
  if (!layout.uniform)
    throw InputError("the hierarchical algorithm needs a group that holds the same local ranks on every node it spans");
  const int n = static_cast<int>(layout.nodes.size());
  const int per_node = static_cast<int>(layout.locals.front().size());
  const int p = static_cast<int>(group.size());
  const int k = cluster.instance.gpus_per_node;
  std::vector<std::vector<int>> inter_groups, intra_groups;
  for (int l : layout.locals.front()) {
    std::vector<int> g;
    for (int node : layout.nodes) g.push_back(node * k + l);
    inter_groups.push_back(std::move(g));
  }
  for (std::size_t i = 0; i < layout.nodes.size(); ++i) {
    std::vector<int> g;
    for (int l : layout.locals[i]) g.push_back(layout.nodes[i] * k + l);
    intra_groups.push_back(std::move(g));
  }
  const double inter_bytes = bytes / per_node;  // the inter-node collective's M
  switch (kind) {
    case CollectiveKind::all_gather:
      add_concurrent(plan, cluster, kind, inter_groups, inter_bytes, "inter-node", memo);
      if (n > 1 && per_node > 1) {
        PlanPhase copy;
        copy.is_copy = true;
        copy.copy = CopyPhase{"reorder copy", bytes};
        plan.phases.push_back(copy);
      }
      add_concurrent(plan, cluster, kind, intra_groups, bytes, "intra-node", memo);
      break;
    case CollectiveKind::reduce_scatter:
      add_concurrent(plan, cluster, kind, intra_groups, bytes, "intra-node", memo);
      add_concurrent(plan, cluster, kind, inter_groups, inter_bytes, "inter-node", memo);
      break;
    case CollectiveKind::all_reduce:
      add_concurrent(plan, cluster, CollectiveKind::reduce_scatter, intra_groups, bytes, "intra-node", memo);
      add_concurrent(plan, cluster, CollectiveKind::all_reduce, inter_groups, inter_bytes, "inter-node", memo);
      add_concurrent(plan, cluster, CollectiveKind::all_gather, intra_groups, bytes, "intra-node", memo);
      break;
  }
  (void)p;
  return plan;
}

}  // namespace shardsim
