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

// FNV-1a steps in four independent lanes (position mod 4), so hashing a long list of ids
// is not one chain of dependent operations, then a final mix. Only lookups use it: results never
// depend on the hash, and a collision costs one comparison.
std::size_t FlowNetwork::IdListHash::operator()(const std::vector<int>& ids) const {
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

int FlowNetwork::intern_route_set(const std::vector<int>& route_ids) {
  auto found = set_ids_.find(route_ids);
  if (found != set_ids_.end()) return found->second;
  if (route_ids.empty()) throw std::invalid_argument("a route set needs at least one route");
  for (int r : route_ids)
    if (r < 0 || r >= static_cast<int>(routes_.size())) throw std::out_of_range("route set uses an unknown route");
  const int id = static_cast<int>(sets_.size());
  sets_.push_back(RouteSet{route_ids});
  set_ids_.emplace(route_ids, id);
  return id;
}

void FlowNetwork::start_flows(int route_set_id, double bytes_each, int tag) {
  if (!(bytes_each > 0)) throw std::invalid_argument("a flow must carry a positive number of bytes");
  if (route_set_id < 0 || route_set_id >= static_cast<int>(sets_.size())) throw std::out_of_range("flows use an unknown route set");
  active_.push_back(Cohort{tag, route_set_id, bytes_each, bytes_each});
  dirty_ = true;
  changes_ += sets_[route_set_id].routes.size();
}

void FlowNetwork::start_flow(int route_id, double bytes, int tag) {
  if (route_id < 0 || route_id >= static_cast<int>(routes_.size())) throw std::out_of_range("flow uses an unknown route");
  start_flows(intern_route_set({route_id}), bytes, tag);
}

std::size_t FlowNetwork::active_flows() const {
  std::size_t flows = 0;
  for (const Cohort& c : active_) flows += sets_[c.route_set].routes.size();
  return flows;
}

void FlowNetwork::solve_rates() {
  active_sets_.clear();
  for (const Cohort& c : active_) active_sets_.push_back(c.route_set);
  dirty_ = false;
  if (auto known = rates_by_active_sets_.find(active_sets_); known != rates_by_active_sets_.end()) {
    ++rate_lookups_;
    apply(known->second);
    return;
  }
  // One variable per flow, in cohort order and each cohort's routes in set order.
  system_.clear();
  used_links_.clear();
  for (const Cohort& c : active_)
    for (int r : sets_[c.route_set].routes) {
      system_.begin_variable();
      for (int l : routes_[r]) {
        if (constraint_of_link_[l] < 0) {
          constraint_of_link_[l] = system_.add_constraint(capacity_Bps_[l]);
          used_links_.push_back(l);
        }
        system_.add_term(constraint_of_link_[l], 1.0);
      }
    }
  const std::vector<double>& rates = system_.solve();
  for (int l : used_links_) constraint_of_link_[l] = -1;
  ++rate_solves_;
  // Each cohort stays whole where its flows got one rate; otherwise it splits into the subsets
  // of its routes that share a rate, in the order the rates first appear.
  SolvedRates solved;
  std::size_t first = 0;
  std::vector<int> routes;
  std::vector<char> taken;
  for (std::size_t i = 0; i < active_.size(); ++i) {
    const std::size_t n = sets_[active_[i].route_set].routes.size();
    bool uniform = true;
    for (std::size_t k = 1; k < n && uniform; ++k) uniform = rates[first + k] == rates[first];
    if (uniform) {
      solved.pieces.push_back({active_[i].route_set, rates[first]});
      solved.pieces_of_cohort.push_back(1);
    } else {
      routes = sets_[active_[i].route_set].routes;  // a copy: interning below may grow sets_
      int pieces = 0;
      taken.assign(n, 0);
      for (std::size_t k = 0; k < n; ++k) {
        if (taken[k]) continue;
        subset_.clear();
        for (std::size_t j = k; j < n; ++j)
          if (!taken[j] && rates[first + j] == rates[first + k]) {
            taken[j] = 1;
            subset_.push_back(routes[j]);
          }
        solved.pieces.push_back({intern_route_set(subset_), rates[first + k]});
        ++pieces;
      }
      solved.pieces_of_cohort.push_back(pieces);
    }
    first += n;
  }
  if (rates_by_active_sets_.size() >= kMaxRememberedRateSets) rates_by_active_sets_.clear();
  const SolvedRates& kept = rates_by_active_sets_.emplace(active_sets_, std::move(solved)).first->second;
  apply(kept);
}

void FlowNetwork::apply(const SolvedRates& solved) {
  if (solved.pieces.size() == active_.size()) {  // no cohort splits
    for (std::size_t i = 0; i < active_.size(); ++i) active_[i].rate = solved.pieces[i].rate;
    return;
  }
  next_active_.clear();
  std::size_t p = 0;
  for (std::size_t i = 0; i < active_.size(); ++i) {
    const Cohort& c = active_[i];
    for (int k = 0; k < solved.pieces_of_cohort[i]; ++k, ++p)
      next_active_.push_back(Cohort{c.tag, solved.pieces[p].route_set, c.bytes, c.remaining, solved.pieces[p].rate});
  }
  active_.swap(next_active_);
}

void FlowNetwork::credit_route_set(int route_set_id, double bytes_each) { sets_.at(route_set_id).credited_bytes += bytes_each; }

const std::vector<double>& FlowNetwork::link_bytes() {
  std::fill(link_bytes_.begin(), link_bytes_.end(), 0.0);
  for (const RouteSet& set : sets_) {
    if (set.credited_bytes == 0) continue;
    for (int r : set.routes)
      for (int l : routes_[r]) link_bytes_[l] += set.credited_bytes;
  }
  return link_bytes_;
}

double FlowNetwork::time_to_next_completion() {
  if (active_.empty()) return std::numeric_limits<double>::infinity();
  if (dirty_) solve_rates();
  double t = std::numeric_limits<double>::infinity();
  for (const Cohort& c : active_) t = std::min(t, c.remaining / c.rate);
  return t;
}

const std::vector<FlowNetwork::Completion>& FlowNetwork::advance(double dt_s) {
  completed_.clear();
  if (active_.empty() || dt_s < 0) return completed_;
  if (dirty_) solve_rates();
  std::size_t keep = 0;
  for (std::size_t i = 0; i < active_.size(); ++i) {
    Cohort& c = active_[i];
    c.remaining -= c.rate * dt_s;
    if (c.remaining <= kCompletionTolerance * c.bytes) {
      RouteSet& set = sets_[c.route_set];
      set.credited_bytes += c.bytes;
      const int flows = static_cast<int>(set.routes.size());
      completed_.push_back({c.tag, flows});
      changes_ += flows;
      continue;
    }
    if (keep != i) active_[keep] = c;
    ++keep;
  }
  if (keep != active_.size()) {
    active_.resize(keep);
    dirty_ = true;
  }
  return completed_;
}

}  // namespace shardsim
