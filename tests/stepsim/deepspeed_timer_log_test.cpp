// DeepSpeed's wall_clock_breakdown lines read back: both timer namings, running totals
// differenced, warm-up skipped, medians exact, malformed logs refused naming the line.
#include "sim/input/input_error.hpp"
#include "sim/stepsim/deepspeed_timer_log.hpp"

#include <catch2/catch.hpp>

using namespace shardsim;

namespace {
const std::string kData = std::string(SHARDSIM_DATA_DIR) + "/tests/stepsim/data/";
}

TEST_CASE("DeepSpeed >= 0.10 timer lines: medians per micro-step, the optimizer at the accumulation boundaries", "[stepsim][passes][log]") {
  // 8 micro-steps of 2 accumulation steps: the first 2 are warm-up; forward 200 220 190 205 215 195,
  // backward 600 620 590 605 615 595, step 30 0.4 32 0.6 28 0.45 (boundaries 30, 32, 28). The global
  // line ("fwd: ...") and the step lines between are skipped.
  const MeasuredPasses m = read_deepspeed_timer_log(kData + "deepspeed-0.14-accumulation-2.log", 2);
  CHECK(m.micro_steps == 6);
  CHECK_FALSE(m.running_totals);
  CHECK(m.forward_s == Approx(0.2025).epsilon(1e-12));
  CHECK(m.backward_s == Approx(0.6025).epsilon(1e-12));
  CHECK(m.optimizer_s == Approx(0.030).epsilon(1e-12));
}

TEST_CASE("DeepSpeed 0.5 timer lines are running totals: differenced", "[stepsim][passes][log]") {
  // Per micro-step 300/700/40 (warm-up), then 270/670/30, 272/668/29, 268/672/31, 270/670/30.
  const MeasuredPasses m = read_deepspeed_timer_log(kData + "deepspeed-0.5.6-running-totals.log", 1);
  CHECK(m.running_totals);
  CHECK(m.micro_steps == 4);
  CHECK(m.forward_s == Approx(0.270).epsilon(1e-12));
  CHECK(m.backward_s == Approx(0.670).epsilon(1e-12));
  CHECK(m.optimizer_s == Approx(0.030).epsilon(1e-12));
}

TEST_CASE("slowly rising per-step times are not running totals", "[stepsim][passes][log]") {
  const std::string log =
      "[Rank 0] time (ms) | fwd_microstep: 280.00 | bwd_microstep: 600.00 | step_microstep: 20.00\n"
      "[Rank 0] time (ms) | fwd_microstep: 281.00 | bwd_microstep: 601.00 | step_microstep: 21.00\n"
      "[Rank 0] time (ms) | fwd_microstep: 282.00 | bwd_microstep: 602.00 | step_microstep: 22.00\n";
  const MeasuredPasses m = parse_deepspeed_timer_log(log, "rising.log", 1);
  CHECK_FALSE(m.running_totals);
  CHECK(m.micro_steps == 2);  // the first is warm-up
  CHECK(m.forward_s == Approx(0.2815).epsilon(1e-12));
}

TEST_CASE("malformed DeepSpeed timer logs are refused naming the file and line", "[stepsim][passes][log]") {
  CHECK_THROWS_WITH(parse_deepspeed_timer_log("[Rank 0] step=1, skipped=0\n", "plain.log", 1),
                    Catch::Contains("plain.log: no DeepSpeed micro-step timer line") && Catch::Contains("wall_clock_breakdown"));
  CHECK_THROWS_WITH(parse_deepspeed_timer_log("x\n[Rank 0] time (ms) | fwd_microstep: 12x | bwd_microstep: 3 | step_microstep: 1\n",
                                              "bad.log", 1),
                    Catch::Contains("bad.log:2: DeepSpeed timer 'fwd_microstep' has value '12x'"));
  CHECK_THROWS_WITH(parse_deepspeed_timer_log("[Rank 0] time (ms) | fwd_microstep: 12 | bwd_microstep: -3 | step_microstep: 1\n",
                                              "negative.log", 1),
                    Catch::Contains("negative.log:1:") && Catch::Contains("'-3'"));
  CHECK_THROWS_WITH(parse_deepspeed_timer_log("[Rank 0] time (ms) | fwd_microstep: 12 | bwd_microstep: 3\n", "short.log", 1),
                    Catch::Contains("short.log:1: a DeepSpeed micro-step timer line without step_microstep"));
  CHECK_THROWS_WITH(parse_deepspeed_timer_log("[Rank 0] time (ms) | fwd_microstep 12 | bwd_microstep: 3 | step_microstep: 1\n",
                                              "colon.log", 1),
                    Catch::Contains("colon.log:1: DeepSpeed timer field 'fwd_microstep 12' is not 'name: milliseconds'"));
  CHECK_THROWS_AS(read_deepspeed_timer_log(kData + "no-such.log", 1), InputError);
}
