#include "sim/collsim/collective_execution.hpp"

#include "sim/collectives/tree_plan.hpp"
#include "sim/formulas/alpha_beta.hpp"
#include "sim/input/input_error.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <utility>

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
                                         std::optional<NodeSymmetry> symmetry, std::function<void()> done, RingPhaseCache* cache)
    : cluster_(cluster), plan_(plan), sim_(sim), symmetry_(symmetry), done_(std::move(done)), cache_(cache) {}

void CollectiveExecution::start() { start_phase(0); }

void CollectiveExecution::start_phase(std::size_t index) {
  phase_ = index;
  if (index >= plan_.phases.size()) {
    done_();
    return;
  }
  const PlanPhase& phase = plan_.phases[index];
  if (const auto* copy = std::get_if<CopyPhase>(&phase)) {
    // Read and write every byte once at HBM speed; every member copies at once, on its own GPU.
    const double copy_s = cluster_.instance.gpu.copy_seconds(copy->bytes);
    sim_.events().schedule_after(copy_s, [this, index] { start_phase(index + 1); });
    return;
  }
  if (const auto* transfers = std::get_if<TransferPhase>(&phase)) {
    start_transfer_phase(index, *transfers);
    return;
  }
  const RingPhase& rp = std::get<RingPhase>(phase);
  // A backend's shape pays its start-up latency before the first step.
  if (rp.shape && rp.shape->base_latency_s > 0 && !base_latency_paid_) {
    base_latency_paid_ = true;
    sim_.events().schedule_after(rp.shape->base_latency_s, [this, index] { start_phase(index); });
    return;
  }
  base_latency_paid_ = false;
  bytes_per_step_ = rp.bytes_per_step;
  fifo_ = rp.shape ? rp.shape->fifo : ConnectionFifo{};
  data_per_wire_byte_ = rp.shape ? rp.shape->bandwidth_efficiency : 1.0;
  RingPhaseSetup setup;
  if (cache_) {
    auto it = cache_->find(&rp);
    if (it == cache_->end()) it = cache_->emplace(&rp, setup_ring_phase(rp)).first;
    setup = it->second;
  } else {
    setup = setup_ring_phase(rp);
  }
  batches_ = std::move(setup.batches);
  ring_patterns_ = std::move(setup.ring_patterns);
  flows_per_step_ = setup.flows_per_step;
  reduce_s_ = setup.reduce_s;
  reducing_steps_left_ = rp.reducing_steps;
  steps_left_ = rp.steps;
  if (flows_per_step_ == 0 || steps_left_ == 0) {
    start_phase(index + 1);
    return;
  }
  start_step();
}

// Under node symmetry only the flows leaving the representative node are simulated, on its own
// links (node_symmetry.hpp); the others are their images.
bool CollectiveExecution::simulates_flows_from(int gpu) const {
  return !symmetry_ || cluster_.node_of(gpu) == symmetry_->representative_node;
}

int CollectiveExecution::intern(std::vector<int>& route) {
  if (symmetry_) {
    const int links_per_node = cluster_.instance.links_per_node();
    for (int& l : route) l = symmetry_->representative_node * links_per_node + l % links_per_node;
  }
  return sim_.network().intern_route(route);
}

RingPhaseSetup CollectiveExecution::setup_ring_phase(const RingPhase& rp) {
  RingPhaseSetup out;
  // One batch of transfers per distinct hop latency; each ring is summarised by how many of its
  // hops fall in each batch (rings alike in that, e.g. the rings of the partition groups, once).
  std::map<double, int> batch_of_latency;
  std::set<std::vector<std::pair<int, int>>> patterns;
  std::map<int, int> hops_in_batch;
  std::vector<std::vector<int>> routes_of_batch;
  for (const auto& ring : rp.rings) {
    hops_in_batch.clear();
    for (std::size_t i = 0; i < ring.size(); ++i) {
      const int src = ring[i], dst = ring[(i + 1) % ring.size()];
      // A backend's shape gives per-step latencies by hop kind; otherwise the route's own.
      const bool crossing = cluster_.node_of(src) != cluster_.node_of(dst);
      const double latency_s = !rp.shape   ? cluster_.route_latency_s(src, dst)
                               : crossing ? rp.shape->inter_step_latency_s
                                          : rp.shape->intra_step_latency_s;
      auto [it, added] = batch_of_latency.emplace(latency_s, static_cast<int>(out.batches.size()));
      if (added) {
        out.batches.push_back(StepBatch{.latency_s = latency_s});
        routes_of_batch.emplace_back();
      }
      ++hops_in_batch[it->second];
      if (!simulates_flows_from(src)) continue;
      std::vector<int> route;
      cluster_.route(src, dst, route);
      routes_of_batch[it->second].push_back(intern(route));
    }
    patterns.emplace(hops_in_batch.begin(), hops_in_batch.end());
  }
  out.ring_patterns.assign(patterns.begin(), patterns.end());
  out.flows_per_step = 0;
  for (std::size_t b = 0; b < out.batches.size(); ++b) {
    if (routes_of_batch[b].empty()) continue;
    out.batches[b].route_set = sim_.network().intern_route_set(routes_of_batch[b]);
    out.flows_per_step += routes_of_batch[b].size();
  }
  const double reduce_Bps = cluster_.instance.gpu.reduce_bandwidth_Bps;
  // Only where reductions cost time.
  out.reduce_s = reduce_Bps > 0 ? most_rings_per_member(rp) * rp.bytes_per_step / reduce_Bps : 0;
  return out;
}

void CollectiveExecution::start_transfer_phase(std::size_t index, const TransferPhase& phase) {
  // One batch per distinct size: the transfers of a batch start together and share the links.
  std::map<double, std::vector<int>> routes_of_size;
  std::vector<int> route;
  for (const Transfer& t : phase.transfers) {
    if (!simulates_flows_from(t.from)) continue;
    route.clear();
    transfer_route(cluster_, t, route);
    routes_of_size[t.bytes].push_back(intern(route));
  }
  transfer_batches_.clear();
  for (const auto& [bytes, routes] : routes_of_size) {
    simulated_flows_ += routes.size();
    transfer_batches_.emplace_back(bytes, sim_.network().intern_route_set(routes));
  }
  const double latency_s = phase.latency_s;
  auto finish = [this, index, latency_s] {
    sim_.events().schedule_after(latency_s, [this, index] { start_phase(index + 1); });
  };
  if (transfer_batches_.empty()) {
    finish();
    return;
  }
  outstanding_ = static_cast<int>(transfer_batches_.size());
  for (const auto& [bytes, route_set] : transfer_batches_) {
    sim_.start_transfers(route_set, bytes, 0, [this, finish] {
      if (--outstanding_ == 0) finish();
    });
  }
}

void CollectiveExecution::start_step() {
  outstanding_ = 0;
  step_start_s_ = sim_.now_s();
  changes_at_step_start_ = sim_.network().changes();
  network_idle_at_step_start_ = sim_.network().idle();
  for (std::size_t b = 0; b < batches_.size(); ++b) {
    StepBatch& batch = batches_[b];
    batch.transfer_s = 0;
    if (batch.route_set < 0) continue;
    ++outstanding_;
    simulated_flows_ += sim_.network().route_set(batch.route_set).size();
    sim_.start_transfers(batch.route_set, bytes_per_step_, 0, [this, b] {
      batches_[b].transfer_s = sim_.now_s() - step_start_s_;
      transfers_done();
    });
  }
}

// Every transfer of the step has arrived; the step is over when the slowest ring's pipelined
// hop time (latency + transfer, + reduction in a reducing step) has passed too (alpha_beta.hpp).
void CollectiveExecution::transfers_done() {
  if (--outstanding_ > 0) return;
  const double reduce_s = reducing_steps_left_ > 0 ? reduce_s_ : 0;
  double ring_step_s = 0;
  for (const auto& pattern : ring_patterns_) {
    double sum_s = 0, smallest_s = std::numeric_limits<double>::infinity();
    int hops = 0;
    for (const auto& [batch, count] : pattern) {
      const double hop_s = batches_[batch].latency_s + batches_[batch].transfer_s + reduce_s;
      sum_s += count * hop_s;
      smallest_s = std::min(smallest_s, hop_s);
      hops += count;
    }
    ring_step_s = std::max(ring_step_s, pipelined_ring_step_s(sum_s, smallest_s, hops));
  }
  // A bounded FIFO: each hop's messages hold its slots for the hop's latency plus their transfer.
  if (fifo_.in_flight_messages > 0) {
    const double step_data_bytes = bytes_per_step_ * data_per_wire_byte_;
    for (const StepBatch& batch : batches_)
      ring_step_s = std::max(ring_step_s, fifo_step_floor_s(fifo_, step_data_bytes, batch.latency_s, batch.transfer_s));
  }
  const double wait_s = step_start_s_ + ring_step_s - sim_.now_s();
  if (wait_s > 0) {
    sim_.events().schedule_after(wait_s, [this] { step_done(); });
    return;
  }
  step_done();
}

void CollectiveExecution::step_done() {
  --steps_left_;
  const bool reducing = reducing_steps_left_ > 0;
  if (reducing) --reducing_steps_left_;
  const FlowNetwork& network = sim_.network();
  const bool had_network_to_itself = network_idle_at_step_start_ && network.idle() &&
                                     network.changes() - changes_at_step_start_ == 2 * flows_per_step_;
  const double step_s = sim_.now_s() - step_start_s_;
  int jump_steps = 0;
  if (had_network_to_itself && steps_left_ > 0 && step_s > 0) {
    EventQueue& events = sim_.events();
    const double until_next_event_s = events.empty() ? std::numeric_limits<double>::infinity()
                                                     : events.next_time_s() - sim_.now_s();
    const double fit = std::floor(until_next_event_s / step_s);
    // A jump repeats this very step, so it stops where steps start or stop reducing.
    const int alike_steps_left = reducing ? reducing_steps_left_ : steps_left_;
    jump_steps = fit >= alike_steps_left ? alike_steps_left : static_cast<int>(fit);
  }
  if (jump_steps == 0) {
    continue_after(0);
    return;
  }
  for (const StepBatch& batch : batches_)
    if (batch.route_set >= 0) sim_.network().credit_route_set(batch.route_set, jump_steps * bytes_per_step_);
  sim_.events().schedule_after(jump_steps * step_s, [this, jump_steps] { continue_after(jump_steps); });
}

void CollectiveExecution::continue_after(int steps_done) {
  steps_left_ -= steps_done;
  if (reducing_steps_left_ > 0) reducing_steps_left_ -= steps_done;
  if (steps_left_ > 0) start_step();
  else start_phase(phase_ + 1);
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
  std::optional<NodeSymmetry> symmetry;
  if (model != FlowModel::per_flow) {
    symmetry = find_node_symmetry(cluster, plan.ring_sets(), plan.transfer_sets());
    if (!symmetry && model == FlowModel::node_symmetric)
      throw InputError(plan.only_rings() ? "this collective's rings are not node-symmetric; use the per-flow model"
                                         : "this collective's transfers are not node-symmetric (a tree's are not); use the per-flow model");
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
