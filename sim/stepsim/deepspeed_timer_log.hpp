// The forward, backward and optimizer-step times a DeepSpeed run measured, read back from its log
// with "wall_clock_breakdown": true, to set beside the simulated passes (pass_times.hpp). Rank 0
// logs one line per micro-step (deepspeed/utils/timer.py SynchronizedWallClockTimer.log, through
// log_dist, so after the logger's own prefix):
//   DeepSpeed <= 0.10  "rank=0 time (ms) | forward_microstep: 281.32 | backward_microstep: 684.52
//                      | backward_inner_microstep: ... | backward_allreduce_microstep: ... | step_microstep: 27.05"
//   DeepSpeed >= 0.10  "time (ms) | fwd_microstep: ... | bwd_microstep: ... | bwd_inner_microstep: ...
//                      | bwd_allreduce_microstep: ... | step_microstep: ..." (renamed by PR #3996)
// DeepSpeed <= 0.5 logs these timers without resetting them (engine.py, reset=False), so its
// values are running totals: where every timer's values never decrease over the whole log (at
// least 3 lines), they are read as running totals and differenced. The global lines ("forward:",
// "fwd:", every steps_per_print steps, totals over that interval) are skipped. The first
// `accumulation_steps` micro-steps are skipped as warm-up where at least three times as many were
// logged. Each pass is the median over the micro-steps read; the optimizer step is the median of
// the largest 1/accumulation_steps of the step_microstep values (the accumulation boundaries,
// where DeepSpeed's step() runs the optimizer).
#pragma once

#include <string>
#include <string_view>

namespace shardsim {

struct MeasuredPasses {
  std::string file;
  int micro_steps = 0;      // timer lines used, after warm-up
  bool running_totals = false;
  double forward_s = 0;
  double backward_s = 0;
  double optimizer_s = 0;
};

// Throws InputError naming the file (and the line where one is malformed): no timer line, a
// timer line without the forward, backward or step timer, or a value that is not a number.
MeasuredPasses parse_deepspeed_timer_log(std::string_view text, const std::string& file, int accumulation_steps);
MeasuredPasses read_deepspeed_timer_log(const std::string& path, int accumulation_steps);

}  // namespace shardsim
