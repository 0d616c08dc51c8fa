#include "sim/collsim/node_symmetry.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace shardsim {
namespace {

using Ring = std::vector<int>;
// A transfer as (from, to, bytes, path), and a transfer phase as how many of each it holds.
using Edge = std::tuple<int, int, double, int>;
using EdgeCounts = std::map<Edge, int>;

EdgeCounts edge_counts(const std::vector<Transfer>& transfers) {
  EdgeCounts counts;
  for (const Transfer& t : transfers) ++counts[{t.from, t.to, t.bytes, static_cast<int>(t.path)}];
  return counts;
}

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
  Edge map_edge(const Edge& e, int rot, int shift) const {
    return {map_rank(std::get<0>(e), rot, shift), map_rank(std::get<1>(e), rot, shift), std::get<2>(e), std::get<3>(e)};
  }
  Ring map_ring(const Ring& r, int rot, int shift) const {
    Ring out(r.size());
    for (std::size_t i = 0; i < r.size(); ++i) out[i] = map_rank(r[i], rot, shift);
    return canonical(out);
  }
};

}  // namespace

std::optional<NodeSymmetry> find_node_symmetry(const Cluster& cluster,
                                               const std::vector<const std::vector<std::vector<int>>*>& phases,
                                               const std::vector<const std::vector<Transfer>*>& transfer_phases) {
  const int k = cluster.instance.gpus_per_node;
  std::set<int> involved;
  for (const auto* rings : phases)
    for (const auto& r : *rings)
      for (int rank : r) involved.insert(rank / k);
  for (const auto* transfers : transfer_phases)
    for (const Transfer& t : *transfers) {
      involved.insert(t.from / k);
      involved.insert(t.to / k);
    }
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
  std::vector<EdgeCounts> edge_sets;
  for (const auto* transfers : transfer_phases) edge_sets.push_back(edge_counts(*transfers));
  // Whether the generator (rot, shift) maps a transfer phase onto itself, counts included.
  const auto maps_onto_itself = [](const Action& act, const EdgeCounts& edges, int rot, int shift) {
    for (const auto& [edge, count] : edges) {
      const auto it = edges.find(act.map_edge(edge, rot, shift));
      if (it == edges.end() || it->second != count) return false;
    }
    return true;
  };
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
    for (std::size_t p = 0; p < edge_sets.size() && ok; ++p)
      ok = (b == 1 || maps_onto_itself(act, edge_sets[p], 1, 0)) && (m / b == 1 || maps_onto_itself(act, edge_sets[p], 0, 1));
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
