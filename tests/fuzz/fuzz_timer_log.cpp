// Fuzzes parse_deepspeed_timer_log (a DeepSpeed log written with "wall_clock_breakdown": true):
// every input either is refused with an InputError or gives finite, non-negative medians over at
// least one micro-step, for accumulation steps 1 and 4.
#include "tests/fuzz/fuzz_support.hpp"

#include "sim/stepsim/deepspeed_timer_log.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string_view>

SHARDSIM_FUZZ_TARGET(timer_log) {
  using namespace shardsim;
  if (size > fuzz::kMaxInput) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (int accumulation : {1, 4}) {
    fuzz::expect_only_input_errors("fuzz_timer_log", [&] {
      const MeasuredPasses m = parse_deepspeed_timer_log(text, "fuzz.log", accumulation);
      for (double v : {m.forward_s, m.backward_s, m.optimizer_s})
        if (!(std::isfinite(v) && v >= 0) || m.micro_steps < 1) {
          std::fprintf(stderr, "\nfuzz_timer_log: BUG: %d micro-steps, a pass of %g s\n", m.micro_steps, v);
          std::abort();
        }
    });
  }
  return 0;
}
