#include "sim/collsim/formula_estimate.hpp"

#include "sim/collectives/ring_order.hpp"
#include "sim/collectives/tree_plan.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

namespace shardsim {
namespace {

double route_capacity(const Cluster& cluster, int src, int dst, double& latency) {
  std::vector<int> links;
  latency = cluster.route(src, dst, links);
  double cap = std::numeric_limits<double>::infinity();
  for (int l : links) cap = std::min(cap, cluster.link(l).capacity_Bps);
  return cap;
}

// alpha, B and B_path of one ring phase: the slowest ring's pipelined step latency and mean hop
// bandwidth, narrowest hop; bandwidths x rings sharing the bottleneck. A phase a backend shaped
// (NCCL's protocol) pays the shape's per-step latencies by hop kind instead of the routes', and
// its wire bytes carry the protocol's overhead (bandwidths x its efficiency), as the flows do.
RingCost ring_cost(const Cluster& cluster, const RingPhase& phase, int parallel_rings) {
  RingCost c;
  c.bandwidth_Bps = std::numeric_limits<double>::infinity();
  c.reduce_Bps = cluster.instance.gpu.reduce_bandwidth_Bps;
  std::vector<double> hop_latencies_s, hop_seconds_per_byte;
  double path_seconds_per_byte = 0;
  for (const auto& ring : phase.rings) {
    hop_latencies_s.clear();
    hop_seconds_per_byte.clear();
    for (std::size_t i = 0; i < ring.size(); ++i) {
      double latency = 0;
      const int src = ring[i], dst = ring[(i + 1) % ring.size()];
      const double cap = route_capacity(cluster, src, dst, latency);
      if (phase.shape)
        latency = cluster.node_of(src) != cluster.node_of(dst) ? phase.shape->inter_step_latency_s : phase.shape->intra_step_latency_s;
      hop_latencies_s.push_back(latency);
      hop_seconds_per_byte.push_back(1 / cap);
      c.bandwidth_Bps = std::min(c.bandwidth_Bps, cap);
    }
    c.alpha_s = std::max(c.alpha_s, pipelined_ring_step_latency_s(hop_latencies_s));
    path_seconds_per_byte = std::max(path_seconds_per_byte, pipelined_ring_step_latency_s(hop_seconds_per_byte));
  }
  const double efficiency = phase.shape ? phase.shape->bandwidth_efficiency : 1.0;
  c.bandwidth_Bps *= parallel_rings * efficiency;
  if (phase.shape && phase.shape->fifo.in_flight_messages > 0 && !phase.rings.empty()) {
    // Each of one group's rings carries its share of the step through its own connections; the
    // slowest hop's latency bounds how fast their slots come back.
    std::set<int> members;
    for (const auto& ring : phase.rings) members.insert(ring.begin(), ring.end());
    const std::size_t groups = std::max<std::size_t>(1, members.size() / std::max(1, phase.group_size));
    c.fifo = phase.shape->fifo;
    c.rings = std::max(1, static_cast<int>(phase.rings.size() / groups));
    for (const auto& ring : phase.rings)
      for (std::size_t i = 0; i < ring.size(); ++i) {
        const bool crossing = cluster.node_of(ring[i]) != cluster.node_of(ring[(i + 1) % ring.size()]);
        c.fifo_hop_latency_s = std::max(c.fifo_hop_latency_s, crossing ? phase.shape->inter_step_latency_s : phase.shape->intra_step_latency_s);
      }
  }
  if (path_seconds_per_byte > 0) c.path_bandwidth_Bps = parallel_rings * efficiency / path_seconds_per_byte;
  return c;
}

// One ring phase as formula_time_s costs it: a group-wide ring over its own channels; the k
// inter-node rings of a two-level plan sharing the distinct NICs of a node's ranks; an intra-node
// ring alone.
RingCost phase_ring_cost(const Cluster& cluster, const GroupLayout& layout, const RingPhase& phase) {
  switch (phase.scope) {
    case PhaseScope::group: return ring_cost(cluster, phase, static_cast<int>(phase.rings.size()));
    case PhaseScope::intra_node: return ring_cost(cluster, phase, 1);
    case PhaseScope::inter_node: break;
  }
  std::set<int> nics;
  for (int l : layout.locals.front()) nics.insert(cluster.instance.nic_of_gpu[l]);
  return ring_cost(cluster, phase, static_cast<int>(nics.size()));
}

// The start-up latency shaped ring phases pay once each before their first step.
double ring_base_latency_s(const CollectivePlan& plan) {
  double total = 0;
  for (const auto& phase : plan.phases)
    if (const auto* ring = std::get_if<RingPhase>(&phase); ring && ring->shape && ring->steps > 0) total += ring->shape->base_latency_s;
  return total;
}

// A transfer phase with no other traffic: its depth latency plus its busiest link's bytes at that
// link's capacity (every transfer through that link shares it for the whole phase).
double transfer_phase_time_s(const Cluster& cluster, const TransferPhase& phase) {
  std::map<int, double> bytes_on_link;
  std::vector<int> links;
  for (const Transfer& t : phase.transfers) {
    links.clear();
    transfer_route(cluster, t, links);
    for (int l : links) bytes_on_link[l] += t.bytes;
  }
  double busiest_s = 0;
  for (const auto& [l, bytes] : bytes_on_link) busiest_s = std::max(busiest_s, bytes / cluster.link(l).capacity_Bps);
  return phase.latency_s + busiest_s;
}

}  // namespace

double formula_time_s(const Cluster& cluster, const CollectivePlan& plan) {
  const int p = static_cast<int>(plan.group.size());
  if (plan.phases.empty()) return 0;
  if (plan.algorithm == Algorithm::tree || plan.algorithm == Algorithm::nvls_tree || plan.algorithm == Algorithm::pat) {
    double time_s = 0;
    for (const auto& phase : plan.phases)
      if (const auto* t = std::get_if<TransferPhase>(&phase)) time_s += transfer_phase_time_s(cluster, *t);
    return time_s;
  }
  const double base_s = ring_base_latency_s(plan);
  if (plan.algorithm == Algorithm::ring) {
    const RingPhase& phase = std::get<RingPhase>(plan.phases.front());
    return base_s + ring_time(plan.kind, p, plan.bytes, ring_cost(cluster, phase, static_cast<int>(phase.rings.size())));
  }
  const GroupLayout layout = layout_of(cluster, plan.group);
  const int k = static_cast<int>(layout.locals.front().size());
  TwoLevelCost cost;
  cost.copy_Bps = cluster.instance.gpu.hbm_achievable_Bps();
  // An inter-node phase NCCL runs as PAT or a tree (library_plan.hpp) is costed on its own.
  double inter_transfers_s = 0;
  bool inter_as_transfers = false;
  for (const auto& phase : plan.phases) {
    if (const auto* t = std::get_if<TransferPhase>(&phase)) {
      inter_transfers_s += transfer_phase_time_s(cluster, *t);
      inter_as_transfers = true;
    }
    const auto* ring = std::get_if<RingPhase>(&phase);
    if (!ring) continue;
    (ring->scope == PhaseScope::inter_node ? cost.inter : cost.intra) = phase_ring_cost(cluster, layout, *ring);
  }
  if (layout.nodes.size() == 1) return base_s + ring_time(plan.kind, p, plan.bytes, cost.intra);
  if (inter_as_transfers) return base_s + inter_transfers_s + (k > 1 ? hierarchical_local_time(plan.kind, p, k, plan.bytes, cost) : 0.0);
  if (k == 1) return base_s + ring_time(plan.kind, p, plan.bytes, cost.inter);
  return base_s + hierarchical_time(plan.kind, p, k, plan.bytes, cost);
}

ClosedFormShares closed_form_shares(const Cluster& cluster, const CollectivePlan& plan) {
  const double full_s = formula_time_s(cluster, plan);
  if (!(full_s > 0)) return {};
  CollectivePlan unbounded = plan;
  for (auto& phase : unbounded.phases)
    if (auto* ring = std::get_if<RingPhase>(&phase); ring && ring->shape) ring->shape->fifo = ConnectionFifo{};
  const double unbounded_s = formula_time_s(cluster, unbounded);
  CollectivePlan wire_only = std::move(unbounded);
  for (auto& phase : wire_only.phases) {
    if (auto* ring = std::get_if<RingPhase>(&phase); ring && ring->shape) {
      ring->shape->base_latency_s = ring->shape->intra_step_latency_s = ring->shape->inter_step_latency_s = 0;
    } else if (auto* transfers = std::get_if<TransferPhase>(&phase)) {
      transfers->latency_s = 0;
    }
  }
  const double wire_s = formula_time_s(cluster, wire_only);
  ClosedFormShares shares;
  shares.fifo = std::clamp((full_s - unbounded_s) / full_s, 0.0, 1.0);
  shares.latency = std::clamp((unbounded_s - wire_s) / full_s, 0.0, 1.0 - shares.fifo);
  return shares;
}

std::optional<FifoBoundStep> fifo_bound_step(const Cluster& cluster, const CollectivePlan& plan) {
  for (const auto& phase : plan.phases) {
    const auto* ring = std::get_if<RingPhase>(&phase);
    if (!ring || !ring->shape || ring->shape->fifo.in_flight_messages <= 0 || ring->group_size < 2) continue;
    // As formula_time_s costs it; an inter-node phase's bandwidth is shared by the node's k groups.
    const GroupLayout layout = layout_of(cluster, plan.group);
    RingCost c = phase_ring_cost(cluster, layout, *ring);
    if (ring->scope == PhaseScope::inter_node) {
      const int k = static_cast<int>(layout.locals.front().size());
      c.bandwidth_Bps /= k;
      if (c.path_bandwidth_Bps > 0) c.path_bandwidth_Bps /= k;
    }
    const double chunk = ring->collective_bytes / ring->group_size;
    const double wire_s = chunk / c.bandwidth_Bps;
    const double path_s = c.alpha_s + chunk / (c.path_bandwidth_Bps > 0 ? c.path_bandwidth_Bps : c.bandwidth_Bps);
    const double per_connection = chunk / std::max(1, c.rings);
    const double floor_s = fifo_step_floor_s(c.fifo, per_connection, c.fifo_hop_latency_s, wire_s);
    if (floor_s > std::max(wire_s, path_s))
      return FifoBoundStep{fifo_messages(c.fifo, per_connection), c.fifo.in_flight_messages, c.fifo_hop_latency_s, floor_s,
                           std::max(wire_s, path_s)};
  }
  return std::nullopt;
}

}  // namespace shardsim
