// Couples the event queue with the flow network: a transfer waits out its route latency (the
// alpha of the alpha-beta model: the sum of its links' latencies), then competes for bandwidth as
// a flow until its bytes are through (the beta part), then its callback runs. The loop always
// takes whichever comes first, the next scheduled event or the next flow completion, so simulated
// time only moves forward and ties resolve in scheduling order (deterministic).
#pragma once

#include "sim/engine/event_queue.hpp"
#include "sim/network/flow_network.hpp"

#include <functional>
#include <unordered_map>
#include <vector>

namespace shardsim {

class NetworkSimulation {
 public:
  using Callback = std::function<void()>;

  explicit NetworkSimulation(std::vector<double> capacity_Bps) : network_(std::move(capacity_Bps)) {}

  double now_s() const { return events_.now_s(); }
  EventQueue& events() { return events_; }
  const FlowNetwork& network() const { return network_; }
  FlowNetwork& network() { return network_; }

  // Starts a batch of transfers that share a start time and latency, one on each route of the set
  // (interned in network(); -1: none); `done` runs once every one of them has arrived. Batching
  // keeps the event count per ring step independent of the ring size.
  void start_transfers(int route_set_id, double bytes_each, double latency_s, Callback done);
  // Runs until nothing is scheduled and no flow is active.
  void run();
  // Events processed: scheduled actions plus flow completions.
  std::uint64_t events_processed() const { return events_.events_run() + flow_completions_; }

 private:
  void finish_flows(const std::vector<FlowNetwork::Completion>& completed);
  struct Batch {
    int outstanding = 0;
    Callback done;
  };
  EventQueue events_;
  FlowNetwork network_;
  std::vector<Batch> batches_;
  std::vector<int> free_batches_;
  std::uint64_t flow_completions_ = 0;
};

}  // namespace shardsim
