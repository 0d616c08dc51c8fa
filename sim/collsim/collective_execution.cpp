#include "sim/collsim/collective_execution.hpp"

#include "sim/input/input_error.hpp"

#include <algorithm>
#include <map>

namespace shardsim {

const char* to_string(FlowModel model) {
  switch (model) {
    case FlowModel::automatic: return "automatic";
    case FlowModel::per_flow: return "per_flow";
    case FlowModel::node_symmetric: return "node_symmetric";
  }
  return "?";
}

std::vector<double> link_capacities(const Cluster& cluster) {
  std::vector<double> caps(cluster.total_links());
  for (int i = 0; i < cluster.total_links(); ++i) caps[i] = cluster.link(i).capacity_Bps;
  return caps;
}

CollectiveExecution::CollectiveExecution(const Cluster& cluster, const CollectivePlan& plan, NetworkSimulation& sim,
                                         std::optional<NodeSymmetry> symmetry, std::function<void()> done)
    : cluster_(cluster), plan_(plan), sim_(sim), symmetry_(symmetry), done_(std::move(done)) {}

void CollectiveExecution::start() { start_phase(0); }

void CollectiveExecution::start_phase(std::size_t index) {
  phase_ = index;
  if (index >= plan_.phases.size()) {
    done_();
    return;
  }
  const PlanPhase& phase = plan_.phases[index];
  if (phase.is_copy) {
    // Read and write every byte once at HBM speed; every member copies at once, on its own GPU.
    const double copy_s = 2 * phase.copy.bytes / cluster_.instance.gpu.hbm_bandwidth_Bps;
    sim_.events().schedule_after(copy_s, [this, index] { start_phase(index + 1); });
    return;
  }
  const RingPhase& rp = phase.ring;
  bytes_per_step_ = rp.bytes_per_step;
  rings_.clear();
  const int links_per_node = cluster_.instance.links_per_node();
  for (const auto& ring : rp.rings) {
    std::map<double, std::vector<std::vector<int>>> by_latency;
    for (std::size_t i = 0; i < ring.size(); ++i) {
      const int src = ring[i], dst = ring[(i + 1) % ring.size()];
      if (symmetry_ && cluster_.node_of(src) != symmetry_->representative_node) continue;
      std::vector<int> route;
      const double latency = cluster_.route(src, dst, route);
      if (symmetry_)
        for (int& l : route) l = symmetry_->representative_node * links_per_node + l % links_per_node;
      by_latency[latency].push_back(std::move(route));
    }
    if (by_latency.empty()) continue;  // an image of a simulated ring
    RingState state;
    state.steps_left = rp.steps;
    for (auto& [latency, routes] : by_latency) state.batches.emplace_back(latency, std::move(routes));
    rings_.push_back(std::move(state));
  }
  rings_running_ = rings_.size();
  if (rings_running_ == 0 || rp.steps == 0) {
    start_phase(index + 1);
    return;
  }
  for (std::size_t r = 0; r < rings_.size(); ++r) start_step(r);
}

void CollectiveExecution::start_step(std::size_t r) {
  RingState& ring = rings_[r];
  ring.outstanding = static_cast<int>(ring.batches.size());
  for (const auto& [latency, routes] : ring.batches) {
    simulated_flows_ += routes.size();
    sim_.start_transfers(&routes, bytes_per_step_, latency, [this, r] { ring_step_done(r); });
  }
}

void CollectiveExecution::ring_step_done(std::size_t r) {
  RingState& ring = rings_[r];
  if (--ring.outstanding > 0) return;
  if (--ring.steps_left > 0) {
    start_step(r);
    return;
  }
  if (--rings_running_ == 0) start_phase(phase_ + 1);
}

NodeTraffic node_traffic(const Cluster& cluster, const std::vector<double>& bytes) {
  const InstanceType& inst = cluster.instance;
  NodeTraffic busiest;
  for (int node = 0; node < cluster.nodes; ++node) {
    NodeTraffic t;
    std::vector<double> into_gpu(inst.gpus_per_node, 0.0);
    for (int l = 0; l < inst.links_per_node(); ++l) {
      const double b = bytes[cluster.global_link(node, l)];
      if (b == 0) continue;
      const Link& link = inst.links[l];
      if (link.from == inst.network_device) t.network_ingress_bytes += b;
      if (link.to == inst.network_device) t.network_egress_bytes += b;
      if (inst.devices[link.from].kind == DeviceKind::gpu) t.gpu_send_bytes += b;
      if (inst.devices[link.to].kind == DeviceKind::gpu) into_gpu[link.to] += b;
    }
    for (double g : into_gpu) t.gpu_ingress_bytes_max = std::max(t.gpu_ingress_bytes_max, g);
    busiest.network_ingress_bytes = std::max(busiest.network_ingress_bytes, t.network_ingress_bytes);
    busiest.network_egress_bytes = std::max(busiest.network_egress_bytes, t.network_egress_bytes);
    busiest.gpu_send_bytes = std::max(busiest.gpu_send_bytes, t.gpu_send_bytes);
    busiest.gpu_ingress_bytes_max = std::max(busiest.gpu_ingress_bytes_max, t.gpu_ingress_bytes_max);
  }
  return busiest;
}

CollectiveResult simulate_collective(const Cluster& cluster, const CollectivePlan& plan, FlowModel model) {
  std::vector<const std::vector<std::vector<int>>*> ring_sets;
  for (const auto& p : plan.phases)
    if (!p.is_copy) ring_sets.push_back(&p.ring.rings);
  std::optional<NodeSymmetry> symmetry;
  if (model != FlowModel::per_flow) {
    symmetry = find_node_symmetry(cluster, ring_sets);
    if (!symmetry && model == FlowModel::node_symmetric)
      throw InputError("this collective's rings are not node-symmetric; use the per-flow model");
  }
  NetworkSimulation sim(link_capacities(cluster));
  double finished_s = -1;
  CollectiveExecution exec(cluster, plan, sim, symmetry, [&] { finished_s = sim.now_s(); });
  exec.start();
  sim.run();

  CollectiveResult result;
  result.time_s = finished_s;
  result.steps = plan.sequential_steps();
  result.events = sim.events_processed();
  result.simulated_flows = exec.simulated_flows();
  result.model_used = symmetry ? FlowModel::node_symmetric : FlowModel::per_flow;
  const NodeTraffic traffic = node_traffic(cluster, sim.network().link_bytes());
  result.network_bytes_per_node = traffic.network_ingress_bytes;
  result.gpu_ingress_bytes = traffic.gpu_ingress_bytes_max;
  return result;
}

}  // namespace shardsim
