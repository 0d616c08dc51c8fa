#include "sim/stepsim/exposed_time.hpp"

#include <algorithm>
#include <array>

namespace shardsim {

ExposedTime exposed_time(const Schedule& schedule, const StepResult& result) {
  enum Kind { compute, host, communication, kinds };
  struct Edge {
    double t;
    int kind;
    int delta;
    ClosedFormShares shares;
  };
  const auto& timing = result.ops;
  std::vector<Edge> edges;
  double end_s = 0;
  for (std::size_t i = 0; i < schedule.program.ops.size() && i < timing.size(); ++i) {
    const Op& op = schedule.program.ops[i];
    const OpTiming& t = timing[i];
    end_s = std::max(end_s, t.end_s);
    if (!(t.end_s > t.start_s)) continue;
    int kind = communication;
    if (op.stream == Stream::compute) kind = compute;
    else if (op.stream == Stream::host) kind = host;
    const ClosedFormShares shares = i < result.shares.size() ? result.shares[i] : ClosedFormShares{};
    edges.push_back({t.start_s, kind, +1, shares});
    edges.push_back({t.end_s, kind, -1, shares});
  }
  // Ends before starts at one instant, so back-to-back ops leave no gap and no overlap.
  std::sort(edges.begin(), edges.end(), [](const Edge& a, const Edge& b) { return a.t != b.t ? a.t < b.t : a.delta < b.delta; });
  ExposedTime out;
  std::array<int, kinds> active{};
  ClosedFormShares share_sum;  // of the communication ops in flight
  double previous = 0;
  auto charge = [&](double until) {
    const double d = until - previous;
    if (d <= 0 || active[compute] > 0) return;
    if (active[host] > 0) {
      out.host_overhead_s += d;
    } else if (active[communication] > 0) {
      const double latency = d * std::clamp(share_sum.latency / active[communication], 0.0, 1.0);
      const double fifo = std::min(d - latency, d * std::clamp(share_sum.fifo / active[communication], 0.0, 1.0));
      out.latency_s += latency;
      out.fifo_s += fifo;
      out.bandwidth_s += d - latency - fifo;
    } else {
      out.other_s += d;
    }
  };
  for (const Edge& e : edges) {
    charge(e.t);
    previous = e.t;
    active[e.kind] += e.delta;
    if (e.kind == communication) {
      share_sum.latency += e.delta * e.shares.latency;
      share_sum.fifo += e.delta * e.shares.fifo;
    }
  }
  charge(end_s);
  return out;
}

}  // namespace shardsim
