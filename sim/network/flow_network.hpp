// Flow-level network model. A flow moves `bytes` along a list of links; at any instant every
// active flow has the max-min fair rate of the system sum_{flows f on link l} x_f <= capacity_l
// (a link listed twice on one route counts twice). Rates are recomputed only when the set of
// active flows changes (a flow starts or ends); between changes every flow progresses linearly, so
// the next completion is min_f remaining_f / x_f and the model is exact for piecewise-constant rates.
// A flow may stand for `weight` identical flows elsewhere (the node-symmetric reduction): its
// bytes are counted that many times in totals, but it takes one share on its listed links.
// Each link counts the bytes it carried (credited when a flow completes).
#pragma once

#include <cstdint>
#include "sim/maxmin/maxmin.hpp"

#include <vector>

namespace shardsim {

class FlowNetwork {
 public:
  explicit FlowNetwork(std::vector<double> capacity_Bps);

  // `links` must stay alive and unchanged until the flow completes (callers keep routes for the
  // whole collective phase; copying them per step would dominate the run time).
  // `tag` is the caller's, returned with the flow on completion.
  int start_flow(const std::vector<int>* links, double bytes, int tag = 0);
  bool idle() const { return active_.empty(); }
  std::size_t active_flows() const { return active_.size(); }
  // Seconds until the next flow completes (infinity when idle).
  double time_to_next_completion();
  // Moves every active flow forward by dt seconds; returns the tags of flows that completed (valid
  // until the next call).
  const std::vector<int>& advance(double dt_s);

  // Bytes carried by each link so far (flows credited on completion).
  const std::vector<double>& link_bytes() const { return link_bytes_; }
  std::uint64_t rate_solves() const { return rate_solves_; }

 private:
  struct Flow {
    int id;
    int tag;
    const std::vector<int>* links;
    double bytes;
    double remaining;
    double rate = 0;
  };
  void solve_rates();
  std::vector<double> capacity_Bps_;
  std::vector<double> link_bytes_;
  std::vector<Flow> active_;
  std::vector<int> constraint_of_link_;  // scratch, -1 outside a solve
  MaxMinSystem system_;
  std::vector<int> used_links_;
  std::vector<int> completed_;
  int next_id_ = 0;
  bool dirty_ = false;
  std::uint64_t rate_solves_ = 0;
};

}  // namespace shardsim
