// Flow-level network model. A flow moves `bytes` along a list of links; at any instant every
// active flow has the max-min fair rate of the system sum_{flows f on link l} x_f <= capacity_l
// (a link listed twice on one route counts twice). Rates are recomputed only when the set of
// active flows changes (a flow starts or ends); between changes every flow progresses linearly, so
// the next completion is min_f remaining_f / x_f and the model is exact for piecewise-constant rates.
// Flows start in sets (a collective step's transfers: one flow per route of an interned route set,
// all of one size, at one instant). Flows that started together and have had the same rate ever
// since have the same bytes left, so they are kept as one cohort: one entry to advance, one
// completion, however many routes it spans. A cohort splits (into interned subsets of its routes)
// only when a rate solve gives its flows different rates, as contention with other traffic can.
// The max-min solve itself still has one variable per flow, so the rates are those of the
// flow-by-flow model. A collective step of 100 transfers then costs a few entries per event, not 100.
// Routes and route sets are interned once (stable ids) and rates are remembered per ordered list of
// active route sets: a collective's steps bring the same sets of flows back again and again, and
// the max-min solution of a set it has seen is the same numbers, so it is looked up instead of
// solved (the output is bit-identical either way).
// Each link counts the bytes it carried: a completed cohort credits its route set, and the links'
// totals are summed from the sets when asked for.
#pragma once

#include "sim/maxmin/maxmin.hpp"

#include <cstdint>
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
  // The id of a non-empty list of route ids (flows that start together); the same list always gets
  // the same id. Throws std::out_of_range for an unknown route, std::invalid_argument when empty.
  int intern_route_set(const std::vector<int>& route_ids);
  const std::vector<int>& route_set(int set_id) const { return sets_[set_id].routes; }

  // One flow of `bytes` on each route of the set; `tag` is the caller's, returned on completion.
  void start_flows(int route_set_id, double bytes_each, int tag = 0);
  // A single flow: a set of one route.
  void start_flow(int route_id, double bytes, int tag = 0);
  bool idle() const { return active_.empty(); }
  std::size_t active_flows() const;
  // Seconds until the next flow completes (infinity when idle).
  double time_to_next_completion();
  // Flows of one tag that completed at one instant.
  struct Completion {
    int tag = 0;
    int flows = 0;
  };
  // Moves every active flow forward by dt seconds; returns the flows that completed (valid until
  // the next call).
  const std::vector<Completion>& advance(double dt_s);

  // Bytes carried by each link so far (flows credited on completion).
  const std::vector<double>& link_bytes();
  // Credits `bytes_each` to every route of the set, moved without simulating them (a
  // fast-forwarded ring step: collsim/).
  void credit_route_set(int route_set_id, double bytes_each);
  // Flow starts plus completions so far: if it grew by exactly a caller's own starts and
  // completions over an interval that began idle, no one else used the network meanwhile.
  std::uint64_t changes() const { return changes_; }
  std::uint64_t rate_solves() const { return rate_solves_; }
  std::uint64_t rate_lookups() const { return rate_lookups_; }

 private:
  // Flows that started together on the routes of one set and have progressed alike since.
  struct Cohort {
    int tag;
    int route_set;
    double bytes;      // of each flow
    double remaining;  // of each flow
    double rate = 0;   // of each flow
  };
  struct RouteSet {
    std::vector<int> routes;
    double credited_bytes = 0;  // to each of its routes
  };
  // A solve's outcome for one cohort: the subset of its routes that shares one rate.
  struct Piece {
    int route_set;
    double rate;
  };
  struct SolvedRates {
    std::vector<int> pieces_of_cohort;
    std::vector<Piece> pieces;
  };
  void solve_rates();
  void apply(const SolvedRates& solved);
  struct IdListHash {
    std::size_t operator()(const std::vector<int>& ids) const;
  };
  std::vector<double> capacity_Bps_;
  std::vector<double> link_bytes_;
  std::vector<Cohort> active_;
  std::vector<Cohort> next_active_;      // scratch of apply()
  std::vector<int> constraint_of_link_;  // scratch, -1 outside a solve
  MaxMinSystem system_;
  std::vector<int> used_links_;
  std::vector<Completion> completed_;
  std::vector<std::vector<int>> routes_;
  std::unordered_map<std::vector<int>, int, IdListHash> route_ids_;
  std::vector<RouteSet> sets_;
  std::unordered_map<std::vector<int>, int, IdListHash> set_ids_;
  std::unordered_map<std::vector<int>, SolvedRates, IdListHash> rates_by_active_sets_;
  std::vector<int> active_sets_;  // scratch: the cache key
  std::vector<int> subset_;       // scratch of solve_rates()
  bool dirty_ = false;
  std::uint64_t rate_solves_ = 0;
  std::uint64_t changes_ = 0;
  std::uint64_t rate_lookups_ = 0;
};

}  // namespace shardsim
