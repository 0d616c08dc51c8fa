#include "sim/collsim/node_symmetry.hpp"

#include <algorithm>
#include <set>

namespace shardsim {
namespace {

using Ring = std::vector<int>;

Ring canonical(const Ring& ring) {
  if (ring.empty()) return ring;
  const auto first = std::min_element(ring.begin(), ring.end());
  Ring out(first, ring.end());
  out.insert(out.end(), ring.begin(), first);
  return out;
}

struct Action {
  const Cluster* cluster;
  const std::vector<int>* position_of_node;  // -1 for nodes outside S
  const std::vector<int>* nodes;             // S
  int b;
  int blocks;
  // Node at position (block, offset) moves to (block + shift, offset + rot).
  int map_rank(int rank, int rot, int shift) const {
    const int k = cluster->instance.gpus_per_node;
    const int pos = (*position_of_node)[rank / k];
    const int block = pos / b, offset = pos % b;
    const int to = ((block + shift) % blocks) * b + (offset + rot) % b;
    return (*nodes)[to] * k + rank % k;
  }
  Ring map_ring(const Ring& r, int rot, int shift) const {
    Ring out(r.size());
    for (std::size_t i = 0; i < r.size(); ++i) out[i] = map_rank(r[i], rot, shift);
    return canonical(out);
  }
};

}  // namespace

std::optional<NodeSymmetry> find_node_symmetry(const Cluster& cluster,
                                               const std::vector<const std::vector<std::vector<int>>*>& phases) {
  const int k = cluster.instance.gpus_per_node;
  std::set<int> involved;
  for (const auto* rings : phases)
    for (const auto& r : *rings)
      for (int rank : r) involved.insert(rank / k);
  if (involved.empty()) return std::nullopt;
  const std::vector<int> nodes(involved.begin(), involved.end());
  const int m = static_cast<int>(nodes.size());
  std::vector<int> position(cluster.nodes, -1);
  for (int i = 0; i < m; ++i) position[nodes[i]] = i;
  if (m == 1) return NodeSymmetry{nodes[0], 1, 1};

  std::vector<std::set<Ring>> canonical_sets;
  for (const auto* rings : phases) {
    std::set<Ring> s;
    for (const auto& r : *rings) s.insert(canonical(r));
    canonical_sets.push_back(std::move(s));
  }
  const int representative = nodes[0];
  for (int b = 1; b < m; ++b) {
    if (m % b != 0) continue;
    const Action act{&cluster, &position, &nodes, b, m / b};
    bool ok = true;
    for (std::size_t p = 0; p < phases.size() && ok; ++p) {
      for (const auto& r : canonical_sets[p]) {
        if ((b > 1 && !canonical_sets[p].count(act.map_ring(r, 1, 0))) ||
            (m / b > 1 && !canonical_sets[p].count(act.map_ring(r, 0, 1)))) { ok = false; break; }
      }
    }
    // Lockstep condition: a ring through the representative must be its own image under the
    // element taking any of its nodes to the representative.
    for (std::size_t p = 0; p < phases.size() && ok; ++p) {
      for (const auto& r : canonical_sets[p]) {
        std::set<int> ring_nodes;
        for (int rank : r) ring_nodes.insert(rank / k);
        if (!ring_nodes.count(representative)) continue;
        const bool fixed_by_generators = (b == 1 || act.map_ring(r, 1, 0) == r) && (m / b == 1 || act.map_ring(r, 0, 1) == r);
        if (fixed_by_generators) continue;
        for (int node : ring_nodes) {
          const int pos = position[node];
          const int rot = (b - pos % b) % b, shift = (m / b - pos / b) % (m / b);
          if (act.map_ring(r, rot, shift) != r) { ok = false; break; }
        }
        if (!ok) break;
      }
    }
    if (ok) return NodeSymmetry{representative, m, b};
  }
  return std::nullopt;
}

}  // namespace shardsim
