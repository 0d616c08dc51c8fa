#include "sim/network/network_simulation.hpp"

#include <limits>

namespace shardsim {

void NetworkSimulation::start_transfers(int route_set, double bytes_each, double latency_s, Callback done) {
  if (route_set < 0) {
    events_.schedule_after(latency_s, std::move(done));
    return;
  }
  int batch;
  if (!free_batches_.empty()) { batch = free_batches_.back(); free_batches_.pop_back(); }
  else { batch = static_cast<int>(batches_.size()); batches_.emplace_back(); }
  batches_[batch] = Batch{static_cast<int>(network_.route_set(route_set).size()), std::move(done)};
  events_.schedule_after(latency_s, [this, batch, route_set, bytes_each] { network_.start_flows(route_set, bytes_each, batch); });
}

void NetworkSimulation::run() {
  for (;;) {
    const double until_event =
        events_.empty() ? std::numeric_limits<double>::infinity() : events_.next_time_s() - events_.now_s();
    // Events due now run before the network is consulted, so a burst of simultaneous starts costs
    // one rate solve, not one per start.
    if (until_event <= 0) { events_.run_next(); continue; }
    const double until_flow = network_.time_to_next_completion();
    if (until_event == std::numeric_limits<double>::infinity() && until_flow == std::numeric_limits<double>::infinity())
      return;
    if (until_flow <= until_event) {
      // Callbacks only schedule events and start flows, never advance the network, so the buffer holds.
      const auto& completed = network_.advance(until_flow);
      events_.advance_to(events_.now_s() + until_flow);
      finish_flows(completed);
    } else {
      // A flow may round to completion just short of the event; it is finished, not lost.
      const auto& completed = network_.advance(until_event);
      events_.advance_to(events_.next_time_s());
      finish_flows(completed);
    }
  }
}

void NetworkSimulation::finish_flows(const std::vector<FlowNetwork::Completion>& completed) {
  for (const auto& [batch, flows] : completed) {
    flow_completions_ += flows;
    if ((batches_[batch].outstanding -= flows) == 0) {
      Callback done = std::move(batches_[batch].done);
      free_batches_.push_back(batch);
      done();
    }
  }
}

}  // namespace shardsim
