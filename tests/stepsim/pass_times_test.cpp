// pass_times divides a step as a framework's timers do: forward to the last forward compute,
// backward to the end of everything else of the micro-step, the optimizer step to the end.
#include "sim/stepsim/pass_times.hpp"

#include <catch2/catch.hpp>

using namespace shardsim;

TEST_CASE("passes: forward ends with its compute, backward waits for the reductions, the step for the gathers after it",
          "[stepsim][passes]") {
  Schedule s;
  s.micro_steps = 2;
  auto add = [&](Op op) { return s.program.add(std::move(op)); };
  // Micro-step 0.
  add(Op{CollectiveOp{}, Stream::gather, {}, "ag-fwd L0", 0, 0});           // 0: [0, 1]
  add(Op{ComputeOp{1, 0}, Stream::compute, {0}, "fwd L0", 0, 0});          // 1: [1, 2]
  add(Op{CollectiveOp{}, Stream::gather, {}, "ag-bwd L0", 0, 0});           // 2: [1.5, 2.5], prefetched during forward
  add(Op{ComputeOp{2, 0}, Stream::compute, {1, 2}, "bwd L0", 0, 0});       // 3: [2.5, 4.5]
  add(Op{CollectiveOp{}, Stream::reduce, {3}, "rs L0", 0, 0});              // 4: [4.5, 5]
  // Micro-step 1 (its forward starts before the reduce-scatter ends).
  add(Op{ComputeOp{1, 0}, Stream::compute, {3}, "fwd L0", 1, 0});          // 5: [4.5, 5.5]
  add(Op{ComputeOp{2, 0}, Stream::compute, {5}, "bwd L0", 1, 0});          // 6: [5.5, 7.5]
  add(Op{CollectiveOp{}, Stream::reduce, {6}, "rs L0", 1, 0});              // 7: [7.5, 8]
  // The optimizer and the updated-parameter gather that depends on it.
  const int optimizer = add(Op{ComputeOp{0, 1}, Stream::compute, {7}, "optimizer", 1, -1});  // 8: [8, 8.25]
  add(Op{CollectiveOp{}, Stream::gather, {optimizer}, "ag-params L0", 1, 0});               // 9: [8.25, 9]
  StepResult r;
  r.ops = {{0, 1}, {1, 2}, {1.5, 2.5}, {2.5, 4.5}, {4.5, 5}, {4.5, 5.5}, {5.5, 7.5}, {7.5, 8}, {8, 8.25}, {8.25, 9}};
  r.step_time_s = 9;
  const StepPasses p = pass_times(s, r);
  REQUIRE(p.micro_steps.size() == 2);
  CHECK(p.micro_steps[0].forward_s == 2);    // to the end of "fwd L0"
  CHECK(p.micro_steps[0].backward_s == 3);   // to the end of the reduce-scatter, 5
  CHECK(p.micro_steps[1].forward_s == 0.5);  // from 5 (the last micro-step's end) to 5.5
  CHECK(p.micro_steps[1].backward_s == 2.5); // to 8: the optimizer's gather is not backward
  CHECK(p.optimizer_s == 1);                 // 8 to 9
  double total = p.optimizer_s;
  for (const auto& m : p.micro_steps) total += m.forward_s + m.backward_s;
  CHECK(total == r.step_time_s);
}
