// Flow-level network model. A flow moves `bytes` along a list of links; at any instant every
// active flow has the max-min fair rate of the system sum_{flows f on link l} x_f <= capacity_l
// (a link listed twice on one route counts twice). Rates are recomputed only when the set of
// active flows changes (a flow starts or ends); between changes every flow progresses linearly, so
// the next completion is min_f remaining_f / x_f and the model is exact for piecewise-constant rates.
// A flow may stand for `weight` identical flows elsewhere (the node-symmetric reduction): its
// bytes are counted that many times in totals, but it takes one share on its listed links.
// Each link counts the bytes it carried (credited when a flow completes).
// Routes are interned once (a stable id per distinct list of links) and rates are remembered per
// ordered list of active routes: a collective's steps bring the same sets of flows back again and
// again, and the max-min solution of a set it has seen is the same numbers, so it is looked up
// instead of solved (the output is bit-identical either way).
#pragma once

#include <cstdint>
#include "sim/maxmin/maxmin.hpp"

#include <unordered_map>
#include <vector>

namespace shardsim {

class FlowNetwork {
 public:
  explicit FlowNetwork(std::vector<double> capacity_Bps);

  // The id of a route (a list of link ids, a link listed twice counting twice); the same list always
  // gets the same id. Throws std::out_of_range for an unknown link.
  int intern_route(const std::vector<int>& links);
  const std::vector<int>& route(int route_id) const { return routes_[route_id]; }
  // `tag` is the caller's, returned with the flow on completion.
  int start_flow(int route_id, double bytes, int tag = 0);
  bool idle() const { return active_.empty(); }
  std::size_t active_flows() const { return active_.size(); }
  // Seconds until the next flow completes (infinity when idle).
  double time_to_next_completion();
  // Moves every active flow forward by dt seconds; returns the tags of flows that completed (valid
  // until the next call).
  const std::vector<int>& advance(double dt_s);

  // Bytes carried by each link so far (flows credited on completion).
  const std::vector<double>& link_bytes() const { return link_bytes_; }
  // Credits bytes moved without simulating them (a fast-forwarded ring step: collsim/).
  void credit_link_bytes(int route_id, double bytes);
  // Flow starts plus completions so far: if it grew by exactly a caller's own starts and
  // completions over an interval that began idle, no one else used the network meanwhile.
  std::uint64_t changes() const { return changes_; }
  std::uint64_t rate_solves() const { return rate_solves_; }
  std::uint64_t rate_lookups() const { return rate_lookups_; }

 private:
  struct Flow {
    int id;
    int tag;
    int route;
    double bytes;
    double remaining;
    double rate = 0;
  };
  void solve_rates();
  struct RouteListHash {
    std::size_t operator()(const std::vector<int>& ids) const;
  };
  std::vector<double> capacity_Bps_;
  std::vector<double> link_bytes_;
  std::vector<Flow> active_;
  std::vector<int> constraint_of_link_;  // scratch, -1 outside a solve
  MaxMinSystem system_;
  std::vector<int> used_links_;
  std::vector<int> completed_;
  std::vector<std::vector<int>> routes_;
  std::unordered_map<std::vector<int>, int, RouteListHash> route_ids_;
  std::unordered_map<std::vector<int>, std::vector<double>, RouteListHash> rates_by_active_routes_;
  std::vector<int> active_routes_;  // scratch: the cache key
  int next_id_ = 0;
  bool dirty_ = false;
  std::uint64_t rate_solves_ = 0;
  std::uint64_t changes_ = 0;
  std::uint64_t rate_lookups_ = 0;
};

}  // namespace shardsim
