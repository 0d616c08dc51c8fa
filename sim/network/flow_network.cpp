#include "sim/network/flow_network.hpp"

#include "sim/maxmin/maxmin.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace shardsim {

// A flow whose remaining bytes fall below this fraction of its size has completed: the only error
// left is the rounding of remaining - rate * dt at the completion instant.
constexpr double kCompletionTolerance = 1e-12;

FlowNetwork::FlowNetwork(std::vector<double> capacity_Bps)
    : capacity_Bps_(std::move(capacity_Bps)),
      link_bytes_(capacity_Bps_.size(), 0.0),
      constraint_of_link_(capacity_Bps_.size(), -1) {}

int FlowNetwork::start_flow(const std::vector<int>* links, double bytes, int tag) {
  if (!(bytes > 0)) throw std::invalid_argument("a flow must carry a positive number of bytes");
  for (int l : *links)
    if (l < 0 || l >= static_cast<int>(capacity_Bps_.size())) throw std::out_of_range("flow uses an unknown link");
  const int id = next_id_++;
  active_.push_back(Flow{id, tag, links, bytes, bytes});
  dirty_ = true;
  return id;
}

void FlowNetwork::solve_rates() {
  system_.clear();
  used_links_.clear();
  for (const Flow& f : active_) {
    system_.begin_variable();
    for (int l : *f.links) {
      if (constraint_of_link_[l] < 0) {
        constraint_of_link_[l] = system_.add_constraint(capacity_Bps_[l]);
        used_links_.push_back(l);
      }
      system_.add_term(constraint_of_link_[l], 1.0);
    }
  }
  const std::vector<double>& rates = system_.solve();
  for (std::size_t i = 0; i < active_.size(); ++i) active_[i].rate = rates[i];
  for (int l : used_links_) constraint_of_link_[l] = -1;
  dirty_ = false;
  ++rate_solves_;
}

double FlowNetwork::time_to_next_completion() {
  if (active_.empty()) return std::numeric_limits<double>::infinity();
  if (dirty_) solve_rates();
  double t = std::numeric_limits<double>::infinity();
  for (const Flow& f : active_) t = std::min(t, f.remaining / f.rate);
  return t;
}

const std::vector<int>& FlowNetwork::advance(double dt_s) {
  completed_.clear();
  if (active_.empty() || dt_s < 0) return completed_;
  if (dirty_) solve_rates();
  std::size_t keep = 0;
  for (std::size_t i = 0; i < active_.size(); ++i) {
    Flow& f = active_[i];
    f.remaining -= f.rate * dt_s;
    if (f.remaining <= kCompletionTolerance * f.bytes) {
      for (int l : *f.links) link_bytes_[l] += f.bytes;
      completed_.push_back(f.tag);
      continue;
    }
    if (keep != i) active_[keep] = std::move(f);
    ++keep;
  }
  if (keep != active_.size()) {
    active_.resize(keep);
    dirty_ = true;
  }
  return completed_;
}

}  // namespace shardsim
