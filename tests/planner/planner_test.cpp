#include "sim/input/input_error.hpp"
#include "sim/model/model_loader.hpp"
#include "sim/planner/planner.hpp"

#include <catch2/catch.hpp>

using namespace shardsim;

namespace {

PlanRequest small_request() {
  PlanRequest r;
  r.model = load_model("toy-1b");
  r.instances = {"p4d.24xlarge"};
  r.gpus = {16, 32};
  r.global_batch = 128;
  r.strategies = {Strategy::zero3, Strategy::mics, Strategy::ddp};
  r.max_micro_batch_splits = 2;
  r.threads = 2;
  return r;
}

}  // namespace

TEST_CASE("the recommendation is the brute-force best feasible candidate", "[planner]") {
  const PlanResult plan = run_plan(small_request());
  REQUIRE(plan.recommended);
  int best = -1;
  for (const auto& c : plan.candidates) {
    if (!c.fits || !c.within_constraints) continue;
    if (best < 0 || c.tokens_per_s > plan.candidates[best].tokens_per_s) best = c.index;
  }
  CHECK(*plan.recommended == best);
  CHECK_FALSE(plan.reason.empty());
}

TEST_CASE("no recommendation ever fails the memory check, and infeasible candidates say why", "[planner]") {
  PlanRequest r = small_request();
  r.model = load_model("bert-10b");  // DDP cannot hold 10B in 40 GB; sharded ones can
  r.gpus = {16};
  r.global_batch = 16;
  const PlanResult plan = run_plan(r);
  int infeasible = 0;
  for (const auto& c : plan.candidates) {
    if (c.fits) continue;
    ++infeasible;
    CHECK(c.why.find("largest") != std::string::npos);
    CHECK(c.step_time_s == 0);  // never simulated
  }
  CHECK(infeasible > 0);
  if (plan.recommended) {
    const Candidate& c = plan.candidates[*plan.recommended];
    CHECK(c.fits);
    CHECK(c.memory_per_gpu_bytes <= c.gpu_memory_bytes);
  }
}

TEST_CASE("the plan is the same for any thread count", "[planner]") {
  PlanRequest one = small_request(), two = small_request();
  one.threads = 1;
  two.threads = 3;
  const PlanResult a = run_plan(one), b = run_plan(two);
  REQUIRE(a.candidates.size() == b.candidates.size());
  for (std::size_t i = 0; i < a.candidates.size(); ++i) CHECK(a.candidates[i].step_time_s == b.candidates[i].step_time_s);
  CHECK(a.recommended == b.recommended);
}

TEST_CASE("constraints exclude candidates from the recommendation", "[planner]") {
  PlanRequest r = small_request();
  r.max_nodes = 2;
  const PlanResult plan = run_plan(r);
  REQUIRE(plan.recommended);
  CHECK(plan.candidates[*plan.recommended].nodes <= 2);
  r.max_nodes.reset();
  r.budget_per_hour_usd = 1.0;  // nothing is that cheap
  CHECK_FALSE(run_plan(r).recommended);
}

TEST_CASE("the sweep enumerates every valid partition size", "[planner]") {
  PlanRequest r = small_request();
  r.gpus = {32};
  r.strategies = {Strategy::mics};
  r.max_micro_batch_splits = 1;
  std::vector<std::pair<int, bool>> shapes;
  for (const auto& c : enumerate_candidates(r)) shapes.emplace_back(c.strategy.partition_size, c.strategy.hierarchical_gather);
  // p divides 32 and divides a node or is whole nodes; p = N is ZeRO-3 and left out.
  const std::vector<std::pair<int, bool>> expected = {{1, false}, {2, false}, {4, false}, {8, false}, {16, false}, {16, true}};
  CHECK(shapes == expected);
  r.global_batch = 100;
  CHECK_THROWS_WITH(enumerate_candidates(r), Catch::Contains("does not divide evenly over 32 GPUs"));
  r.global_batch = 128;
  r.gpus = {12};
  CHECK_THROWS_WITH(enumerate_candidates(r), Catch::Contains("not a whole number"));
}

TEST_CASE("a candidate too large to simulate is marked and skipped, not the end of the sweep", "[planner]") {
  // ZeRO-3 over a million GPUs: each gather is a ring of 2^20 steps, past the simulator's limit.
  PlanRequest r = small_request();
  r.gpus = {1 << 20};
  r.global_batch = 1 << 20;
  Candidate c;
  c.instance = "p4d.24xlarge";
  c.gpus = 1 << 20;
  c.nodes = c.gpus / 8;
  c.strategy.strategy = Strategy::zero3;
  c.micro_batch = 1;
  c.accumulation_steps = 1;
  evaluate_candidate(r, load_instance_by_name(c.instance), c);
  CHECK(c.fits);
  CHECK_FALSE(c.simulated);
  CHECK_FALSE(c.within_constraints);
  CHECK_THAT(c.why, Catch::StartsWith("not simulated: simulating this zero3 step on 1048576 GPUs"));
  CHECK(c.step_time_s == 0);
}

TEST_CASE("the plan simulates the kernels it is asked for: eager element-wise kernels are slower", "[planner]") {
  // The same sweep with Megatron-LM's fused element-wise kernels and with eager PyTorch's: every
  // candidate that runs computes longer in the second, so none gets faster.
  PlanRequest fused = small_request();
  PlanRequest eager = fused;
  eager.kernels.elementwise = ElementwiseKernels::unfused;
  const PlanResult a = run_plan(fused), b = run_plan(eager);
  REQUIRE(a.candidates.size() == b.candidates.size());
  int compared = 0;
  for (std::size_t i = 0; i < a.candidates.size(); ++i) {
    if (!a.candidates[i].simulated || !b.candidates[i].simulated) continue;
    CHECK(b.candidates[i].step_time_s > a.candidates[i].step_time_s);
    ++compared;
  }
  CHECK(compared > 0);
}
