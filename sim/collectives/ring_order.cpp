#include "sim/collectives/ring_order.hpp"

#include <algorithm>
#include <limits>
#include <map>

namespace shardsim {
namespace {

// Beyond this many GPUs in one node the exhaustive search is skipped and local order is kept.
constexpr int kMaxExhaustiveMembers = 9;

double bottleneck_Bps(const InstanceType& inst, int a, int b) {
  double cap = std::numeric_limits<double>::infinity();
  for (int l : inst.gpu_route[a][b].links) cap = std::min(cap, inst.links[l].capacity_Bps);
  return cap;
}

struct Score {
  double bottleneck = 0;
  double latency = std::numeric_limits<double>::infinity();
  bool better_than(const Score& o) const {
    if (bottleneck != o.bottleneck) return bottleneck > o.bottleneck;
    return latency < o.latency;
  }
};

Score score_path(const InstanceType& inst, const std::vector<int>& order, bool closed) {
  Score s{std::numeric_limits<double>::infinity(), 0};
  const std::size_t hops = closed ? order.size() : order.size() - 1;
  for (std::size_t i = 0; i < hops; ++i) {
    const int a = order[i], b = order[(i + 1) % order.size()];
    s.bottleneck = std::min(s.bottleneck, bottleneck_Bps(inst, a, b));
    s.latency += inst.gpu_route[a][b].latency_s;
  }
  return s;
}

// Best order of `members` starting at `entry`; closed = a cycle inside one node; otherwise a path
// whose end is free unless `exit` >= 0.
std::vector<int> best_order(const InstanceType& inst, std::vector<int> members, int entry, int exit, bool closed) {
  if (members.size() <= 2 || static_cast<int>(members.size()) > kMaxExhaustiveMembers) {
    std::vector<int> order{entry};
    for (int m : members) if (m != entry && m != exit) order.push_back(m);
    if (exit >= 0 && exit != entry) order.push_back(exit);
    return order;
  }
  std::vector<int> middle;
  for (int m : members) if (m != entry && m != exit) middle.push_back(m);
  std::sort(middle.begin(), middle.end());
  std::vector<int> best;
  Score best_score;
  std::vector<int> order;
  do {
    order.assign(1, entry);
    order.insert(order.end(), middle.begin(), middle.end());
    if (exit >= 0 && exit != entry) order.push_back(exit);
    const Score s = score_path(inst, order, closed);
    if (best.empty() || s.better_than(best_score)) { best = order; best_score = s; }
  } while (std::next_permutation(middle.begin(), middle.end()));
  return best;
}

}  // namespace

GroupLayout layout_of(const Cluster& cluster, const std::vector<int>& group) {
  std::map<int, std::vector<int>> by_node;
  for (int r : group) by_node[cluster.node_of(r)].push_back(cluster.local_of(r));
  GroupLayout layout;
  for (auto& [node, locals] : by_node) {
    std::sort(locals.begin(), locals.end());
    layout.nodes.push_back(node);
    layout.locals.push_back(locals);
  }
  for (const auto& l : layout.locals) layout.uniform = layout.uniform && l == layout.locals.front();
  return layout;
}

std::vector<std::vector<int>> build_channel_rings(const Cluster& cluster, const std::vector<int>& group,
                                                  RingOrderMemo* shared_memo) {
  const InstanceType& inst = cluster.instance;
  const GroupLayout layout = layout_of(cluster, group);
  const int k = inst.gpus_per_node;
  // On a uniform group every node reuses one search even without a caller's memo.
  RingOrderMemo own_memo;
  RingOrderMemo& memo = shared_memo ? *shared_memo : own_memo;
  auto order = [&](const std::vector<int>& locals, int entry, int exit, bool closed) -> const std::vector<int>& {
    auto key = std::make_tuple(locals, entry, exit, closed);
    auto it = memo.orders.find(key);
    if (it == memo.orders.end()) it = memo.orders.emplace(std::move(key), best_order(inst, locals, entry, exit, closed)).first;
    return it->second;
  };
  if (layout.nodes.size() == 1) {
    const auto& locals = layout.locals.front();
    std::vector<int> ring;
    for (int l : order(locals, locals.front(), -1, true)) ring.push_back(layout.nodes.front() * k + l);
    return {ring};
  }
  // Channels: the distinct NICs behind the members of the first node (one channel where unknown).
  std::vector<int> nics;
  for (int l : layout.locals.front()) {
    const int nic = inst.nic_of_gpu[l];
    if (std::find(nics.begin(), nics.end(), nic) == nics.end()) nics.push_back(nic);
  }
  std::sort(nics.begin(), nics.end());
  std::vector<std::vector<int>> rings(nics.size());
  for (std::size_t c = 0; c < nics.size(); ++c) {
    for (std::size_t n = 0; n < layout.nodes.size(); ++n) {
      const auto& locals = layout.locals[n];
      std::vector<int> behind;  // members whose traffic leaves through this channel's NIC
      for (int l : locals) if (inst.nic_of_gpu[l] == nics[c]) behind.push_back(l);
      const int entry = behind.empty() ? locals.front() : behind.front();
      int exit = behind.size() >= 2 ? behind[1] : -1;
      if (exit < 0 && nics.size() > 1) {
        // One GPU behind each NIC (p5): leave through the next channel's NIC, so every NIC sends for
        // exactly one channel instead of all channels leaving through whichever GPU the search ends on.
        for (int l : locals)
          if (inst.nic_of_gpu[l] == nics[(c + 1) % nics.size()] && l != entry) { exit = l; break; }
      }
      for (int l : order(locals, entry, exit, false)) rings[c].push_back(layout.nodes[n] * k + l);
    }
  }
  return rings;
}

}  // namespace shardsim
