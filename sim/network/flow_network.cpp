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

// Bounds the memory of remembered rate solutions; past it the table starts over (results do not
// change, only how often the solver runs).
constexpr std::size_t kMaxRememberedRateSets = 1 << 14;

// FNV-1a steps in four independent lanes (position mod 4), so hashing a long list of active routes
// is not one chain of dependent operations, then a final mix. Only lookups use it: results never
// depend on the hash, and a collision costs one comparison.
std::size_t FlowNetwork::RouteListHash::operator()(const std::vector<int>& ids) const {
  constexpr std::uint64_t kPrime = 0x100000001b3ULL;
  std::uint64_t lane[4] = {0xcbf29ce484222325ULL ^ ids.size(), 0x9e3779b97f4a7c15ULL, 0xc2b2ae3d27d4eb4fULL, 0x165667b19e3779f9ULL};
  std::size_t i = 0;
  for (; i + 4 <= ids.size(); i += 4)
    for (int k = 0; k < 4; ++k) lane[k] = (lane[k] ^ static_cast<std::uint32_t>(ids[i + k])) * kPrime;
  for (; i < ids.size(); ++i) lane[0] = (lane[0] ^ static_cast<std::uint32_t>(ids[i])) * kPrime;
  std::uint64_t h = lane[0];
  for (int k = 1; k < 4; ++k) h = (h ^ (lane[k] + (h << 6) + (h >> 2))) * kPrime;
  return static_cast<std::size_t>(h ^ (h >> 29));
}

int FlowNetwork::intern_route(const std::vector<int>& links) {
  auto found = route_ids_.find(links);
  if (found != route_ids_.end()) return found->second;
  for (int l : links)
    if (l < 0 || l >= static_cast<int>(capacity_Bps_.size())) throw std::out_of_range("route uses an unknown link");
  const int id = static_cast<int>(routes_.size());
  routes_.push_back(links);
  route_ids_.emplace(links, id);
  return id;
}

int FlowNetwork::start_flow(int route_id, double bytes, int tag) {
  if (!(bytes > 0)) throw std::invalid_argument("a flow must carry a positive number of bytes");
  if (route_id < 0 || route_id >= static_cast<int>(routes_.size())) throw std::out_of_range("flow uses an unknown route");
  const int id = next_id_++;
  active_.push_back(Flow{id, tag, route_id, bytes, bytes});
  dirty_ = true;
  ++changes_;
  return id;
}

void FlowNetwork::solve_rates() {
  active_routes_.clear();
  for (const Flow& f : active_) active_routes_.push_back(f.route);
  dirty_ = false;
  if (auto known = rates_by_active_routes_.find(active_routes_); known != rates_by_active_routes_.end()) {
    for (std::size_t i = 0; i < active_.size(); ++i) active_[i].rate = known->second[i];
    ++rate_lookups_;
    return;
  }
  system_.clear();
  used_links_.clear();
  for (const Flow& f : active_) {
    system_.begin_variable();
    for (int l : routes_[f.route]) {
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
  ++rate_solves_;
  if (rates_by_active_routes_.size() >= kMaxRememberedRateSets) rates_by_active_routes_.clear();
  rates_by_active_routes_.emplace(active_routes_, std::vector<double>(rates.begin(), rates.begin() + active_.size()));
}

void FlowNetwork::credit_link_bytes(int route_id, double bytes) {
  for (int l : routes_[route_id]) link_bytes_[l] += bytes;
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
      for (int l : routes_[f.route]) link_bytes_[l] += f.bytes;
      completed_.push_back(f.tag);
      ++changes_;
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
