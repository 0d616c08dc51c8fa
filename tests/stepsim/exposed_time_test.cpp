// exposed_time splits the compute stream's idle time by what runs instead, exactly.
#include "sim/stepsim/exposed_time.hpp"

#include <catch2/catch.hpp>

using namespace shardsim;

TEST_CASE("exposed time: host first, then collectives by their latency share, then other waits", "[stepsim][exposed]") {
  Schedule s;
  auto add = [&](Op op) { return s.program.add(std::move(op)); };
  add(Op{ComputeOp{1, 0}, Stream::compute, {}, "compute", 0, 0});                          // [0, 1]
  add(Op{HostOp{1}, Stream::host, {}, "hook", 0, 0});                                      // [1, 2]
  add(Op{CollectiveOp{}, Stream::gather, {}, "ag", 0, 0});                                 // [1, 3]
  add(Op{CollectiveOp{}, Stream::reduce, {}, "rs", 0, 0});                                 // [2.5, 3]
  add(Op{HostOp{0}, Stream::host, {}, "synchronize", 0, 0});                               // [3, 3]: no time
  add(Op{ComputeOp{1, 0}, Stream::compute, {}, "compute", 0, 0});                          // [3.5, 4]
  StepResult r;
  r.ops = {{0, 1}, {1, 2}, {1, 3}, {2.5, 3}, {3, 3}, {3.5, 4}};
  r.shares = {{}, {}, {0.5, 0}, {0.1, 0.2}, {}, {}};
  const ExposedTime e = exposed_time(s, r);
  CHECK(e.host_overhead_s == Approx(1.0));            // [1, 2]: the hook, though the gather runs
  CHECK(e.latency_s == Approx(0.5 * 0.5 + 0.5 * 0.3));  // [2, 2.5]: the gather alone; [2.5, 3]: mean of 0.5 and 0.1
  CHECK(e.fifo_s == Approx(0.5 * 0.1));                 // [2.5, 3]: mean of 0 and 0.2
  CHECK(e.bandwidth_s == Approx(0.5 * 0.5 + 0.5 * 0.6));
  CHECK(e.other_s == Approx(0.5));                    // [3, 3.5]: nothing runs
  CHECK(e.host_overhead_s + e.communication_s() + e.other_s == Approx(4.0 - 1.5));  // the step less the compute stream's busy time
}
