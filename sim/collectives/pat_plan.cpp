#include "sim/collectives/pat_plan.hpp"

#include "sim/input/input_error.hpp"

#include <fmt/format.h>

#include <set>

namespace shardsim {

int pat_steps(int ranks) {
  int steps = 0;
  while ((1 << steps) < ranks) ++steps;
  return steps;
}

CollectivePlan plan_pat(const Cluster& cluster, CollectiveKind kind, const std::vector<int>& group, double bytes,
                        const std::optional<PhaseShape>& shape) {
  if (kind == CollectiveKind::all_reduce)
    throw InputError("NCCL has no PAT all_reduce (PAT runs all_gather and reduce_scatter only)");
  if (group.empty()) throw InputError("the collective's group is empty");
  if (!(bytes > 0)) throw InputError("a collective must move a positive number of bytes");
  std::set<int> nodes;
  for (int r : group)
    if (!nodes.insert(cluster.node_of(r)).second)
      throw InputError(fmt::format("the pat algorithm needs one rank per node (NCCL runs PAT only there); node {} holds more",
                                   cluster.node_of(r)));

  const int n = static_cast<int>(group.size());
  const int steps = pat_steps(n);
  const double efficiency = shape ? shape->bandwidth_efficiency : 1.0;
  const double shard = bytes / n / efficiency;  // wire bytes of one rank's M/n
  // floor(log2 n) dimensions pay the per-dimension latency (NCCL's log2i(nNodes)); a last, partial
  // dimension of a group that is not a power of two only moves bytes.
  int paid = 0;
  while ((2 << paid) <= n) ++paid;

  CollectivePlan plan{.kind = kind, .algorithm = Algorithm::pat, .group = group, .bytes = bytes, .channels = 1, .phases = {}};
  for (int i = 0; i < steps; ++i) {
    // All-gather: distances 1, 2, 4, ...; reduce-scatter: the mirror, widest first.
    const int d = kind == CollectiveKind::all_gather ? i : steps - 1 - i;
    const int distance = 1 << d;
    const int shards = std::min(distance, n - distance);
    TransferPhase phase{fmt::format("pat {} distance {}", to_string(kind), distance), {}, 0, 1};
    for (int p = 0; p < n; ++p) phase.transfers.push_back({group[p], group[(p - distance + n) % n], shards * shard});
    const bool pays = d < paid;
    if (shape) {
      phase.latency_s = (pays ? shape->inter_step_latency_s : 0.0) + (i == 0 ? shape->base_latency_s : 0.0);
    } else if (pays) {
      phase.latency_s = cluster.route_latency_s(group[0], group[n - distance]);
    }
    plan.phases.emplace_back(std::move(phase));
  }
  return plan;
}

}  // namespace shardsim
