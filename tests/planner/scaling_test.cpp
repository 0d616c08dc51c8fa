#include "sim/input/input_error.hpp"
#include "sim/model/model_loader.hpp"
#include "sim/planner/scaling.hpp"

#include <catch2/catch.hpp>

using namespace shardsim;

TEST_CASE("scaling: batches by mode, baseline efficiency 1, per-GPU throughput ratio elsewhere", "[scaling]") {
  ScalingRequest r;
  r.model = load_model("gpt2-small");
  r.gpus = {32, 16, 64};  // order does not matter
  StrategyConfig zero3, mics;
  zero3.strategy = Strategy::zero3;
  mics.strategy = Strategy::mics;
  mics.partition_size = 8;
  r.strategies = {zero3, mics};
  r.micro_batch = 2;
  r.accumulation_steps = 2;
  r.threads = 2;
  const auto points = run_scaling(r);
  REQUIRE(points.size() == 2 * 2 * 3);
  for (const auto& pt : points) {
    INFO(pt.mode << " " << to_string(pt.candidate.strategy.strategy) << " " << pt.candidate.gpus);
    REQUIRE(pt.candidate.fits);
    if (pt.mode == "weak") {
      CHECK(pt.global_batch == 4LL * pt.candidate.gpus);
      CHECK(pt.candidate.accumulation_steps == 2);
    } else {
      CHECK(pt.global_batch == 4LL * 64);  // the largest cluster's batch, fixed
      CHECK(pt.candidate.accumulation_steps == 256 / (2 * pt.candidate.gpus));
    }
    CHECK(pt.tokens_per_s_per_gpu == pt.candidate.tokens_per_s / pt.candidate.gpus);
    if (pt.candidate.gpus == 16) CHECK(pt.efficiency == 1.0);
    else CHECK(pt.efficiency > 0);
  }
}

TEST_CASE("scaling rejects sizes that are not whole nodes", "[scaling]") {
  ScalingRequest r;
  r.model = load_model("gpt2-small");
  r.gpus = {12};
  StrategyConfig s;
  r.strategies = {s};
  CHECK_THROWS_WITH(run_scaling(r), Catch::Contains("not a whole number"));
}
