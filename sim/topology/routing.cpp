// Route tables of one node from its Boost.Graph: Dijkstra over each link's time to carry the
// instance's reference message (latency + size / capacity; ties to fewer hops by a tiny per-hop
// cost), with GPUs allowed only as the first or last vertex, since a GPU does not
// forward traffic for others.
#include "sim/input/input_error.hpp"
#include "sim/topology/topology.hpp"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <boost/graph/filtered_graph.hpp>
#include <fmt/format.h>

#include <limits>

namespace shardsim {
namespace {

struct EdgeData {
  int link = 0;
  double weight = 0;
};
using NodeGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, boost::no_property, EdgeData>;
using Edge = boost::graph_traits<NodeGraph>::edge_descriptor;

// Edges leaving a GPU are usable only from the route's source GPU.
struct NoTransitThroughGpus {
  const InstanceType* inst = nullptr;
  const NodeGraph* graph = nullptr;
  int source = -1;
  bool operator()(const Edge& e) const {
    const int from = static_cast<int>(boost::source(e, *graph));
    return inst->devices[from].kind != DeviceKind::gpu || from == source;
  }
};

// A hop cost far below any real latency, so equal-latency paths prefer fewer hops.
constexpr double kHopTieBreak_s = 1e-15;

struct ShortestPaths {
  std::vector<double> distance;
  std::vector<int> via_link;  // link used to reach each vertex, -1 at the source or unreachable
};

ShortestPaths shortest_from(const InstanceType& inst, const NodeGraph& graph, int source) {
  const auto n = boost::num_vertices(graph);
  NoTransitThroughGpus keep{&inst, &graph, source};
  boost::filtered_graph<NodeGraph, NoTransitThroughGpus> view(graph, keep);
  std::vector<boost::graph_traits<NodeGraph>::vertex_descriptor> pred(n);
  std::vector<double> dist(n);
  boost::dijkstra_shortest_paths(view, static_cast<std::size_t>(source),
                                 boost::predecessor_map(pred.data())
                                     .distance_map(dist.data())
                                     .weight_map(boost::get(&EdgeData::weight, graph)));
  ShortestPaths sp{dist, std::vector<int>(n, -1)};
  // Recover the link used into each vertex: the cheapest edge pred[v] -> v.
  for (std::size_t v = 0; v < n; ++v) {
    if (pred[v] == v) continue;
    double best = std::numeric_limits<double>::infinity();
    for (auto [e, end] = boost::out_edges(pred[v], graph); e != end; ++e) {
      if (boost::target(*e, graph) != v) continue;
      const EdgeData& d = graph[*e];
      if (d.weight < best) { best = d.weight; sp.via_link[v] = d.link; }
    }
  }
  return sp;
}

NodeRoute trace(const InstanceType& inst, const ShortestPaths& sp, int source, int target) {
  NodeRoute route;
  for (int v = target; v != source;) {
    const int link = sp.via_link[v];
    if (link < 0) return NodeRoute{{}, -1};
    route.links.push_back(link);
    route.latency_s += inst.links[link].latency_s;
    v = inst.links[link].from;
  }
  std::reverse(route.links.begin(), route.links.end());
  return route;
}

}  // namespace

void compute_routes(InstanceType& inst) {
  NodeGraph graph(inst.devices.size());
  for (int i = 0; i < inst.links_per_node(); ++i) {
    const Link& l = inst.links[i];
    boost::add_edge(l.from, l.to, EdgeData{i, l.latency_s + inst.route_selection_bytes / l.capacity_Bps + kHopTieBreak_s}, graph);
  }
  const int k = inst.gpus_per_node;
  // A GPU with no link at all is named as such, not blamed on routing between two GPUs.
  for (int g = 0; g < k; ++g) {
    bool linked = false;
    for (int i = 0; i < inst.links_per_node() && !linked; ++i) linked = inst.links[i].from == g;
    if (!linked)
      throw InputError(fmt::format("{}: gpu{} has no links (every GPU needs a link to a switch or another GPU)", inst.file, g));
  }
  inst.gpu_route.assign(k, std::vector<NodeRoute>(k));
  inst.up.assign(k, {});
  inst.down.assign(k, {});
  inst.nic_of_gpu.assign(k, -1);
  for (int g = 0; g < k; ++g) {
    const ShortestPaths sp = shortest_from(inst, graph, g);
    for (int h = 0; h < k; ++h) {
      if (h == g) continue;
      inst.gpu_route[g][h] = trace(inst, sp, g, h);
      if (inst.gpu_route[g][h].latency_s < 0)
        throw InputError(fmt::format("{}: gpu{} cannot reach gpu{} over the declared links", inst.file, g, h));
    }
    if (inst.has_network()) {
      inst.up[g] = trace(inst, sp, g, inst.network_device);
      if (inst.up[g].latency_s < 0)
        throw InputError(fmt::format("{}: gpu{} cannot reach the network (no path to a NIC and the fabric leaf)", inst.file, g));
      for (int l : inst.up[g].links)
        if (inst.devices[inst.links[l].to].kind == DeviceKind::nic) { inst.nic_of_gpu[g] = inst.links[l].to; break; }
    }
  }
  if (inst.has_network()) {
    const ShortestPaths sp = shortest_from(inst, graph, inst.network_device);
    for (int g = 0; g < k; ++g) {
      inst.down[g] = trace(inst, sp, inst.network_device, g);
      if (inst.down[g].latency_s < 0)
        throw InputError(fmt::format("{}: the network cannot reach gpu{}", inst.file, g));
    }
  }
}

}  // namespace shardsim
