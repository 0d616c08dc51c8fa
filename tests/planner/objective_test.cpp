// plan --objective: the ranking each objective asks for, and a plan with nothing to recommend is
// one line naming the constraint or the memory consumer and what helps.
#include "sim/input/input_error.hpp"
#include "sim/model/model_loader.hpp"
#include "sim/planner/plan_checks.hpp"
#include "sim/planner/planner.hpp"
#include "sim/planner/progress_bar.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

using namespace shardsim;

namespace {

Candidate candidate(int index, double tokens_per_s, double usd_per_million_tokens) {
  Candidate c;
  c.index = index;
  c.fits = c.simulated = true;
  c.tokens_per_s = tokens_per_s;
  c.usd_per_million_tokens = usd_per_million_tokens;
  return c;
}

PlanRequest two_instance_request() {
  PlanRequest r;
  r.model = load_model("toy-1b");
  r.instances = {"p4d.24xlarge", "p4de.24xlarge"};
  r.gpus = {16};
  r.global_batch = 64;
  r.strategies = {Strategy::zero3, Strategy::mics};
  r.max_micro_batch_splits = 1;
  r.threads = 2;
  return r;
}

}  // namespace

TEST_CASE("throughput and time rank by tokens/s, cost by dollars per token", "[planner][objective]") {
  // The fast one is dearer per token: throughput picks it, cost does not.
  const std::vector<Candidate> cs{candidate(0, 1000, 0.70), candidate(1, 999.6, 0.56)};
  CHECK(best_candidate(cs, PlanObjective::throughput) == 0);
  CHECK(best_candidate(cs, PlanObjective::time) == 0);
  CHECK(best_candidate(cs, PlanObjective::cost) == 1);
  // Ties: throughput falls back on cost, cost on throughput, then enumeration order.
  const std::vector<Candidate> tied{candidate(0, 1000, 0.70), candidate(1, 1000, 0.60), candidate(2, 900, 0.60)};
  CHECK(best_candidate(tied, PlanObjective::throughput) == 1);
  CHECK(best_candidate(tied, PlanObjective::cost) == 1);
  CHECK(parse_plan_objective("cost", "--objective") == PlanObjective::cost);
  CHECK_THROWS_WITH(parse_plan_objective("speed", "--objective"), Catch::Contains("--objective: unknown objective 'speed'"));
}

TEST_CASE("under cost the cheapest per token wins and the reason names what it gives up", "[planner][objective]") {
  PlanRequest r = two_instance_request();
  r.train_tokens = 1e9;
  r.objective = PlanObjective::cost;
  const PlanResult plan = run_plan(r);
  REQUIRE(plan.recommended);
  const Candidate& best = plan.candidates[*plan.recommended];
  for (const auto& c : plan.candidates)
    if (c.fits && c.within_constraints) CHECK(best.usd_per_million_tokens <= c.usd_per_million_tokens);
  CHECK_THAT(plan.reason, Catch::Contains("ranked by cost per token"));
  CHECK_THAT(plan.reason, Catch::Contains("1e+09 tokens in ") && Catch::Contains(" hours for $"));
  CHECK(format_training_time(36 * 3600.0) == "36.0 hours");
  CHECK(format_training_time(30 * 86400.0) == "30.0 days");
  CHECK(best.train_cost_usd == Approx(best.usd_per_million_tokens * 1e3));  // 1e9 tokens = 1000 x a million
  r.objective = PlanObjective::throughput;
  const PlanResult fastest = run_plan(r);
  REQUIRE(fastest.recommended);
  CHECK(fastest.candidates[*fastest.recommended].tokens_per_s >= best.tokens_per_s);
  if (*fastest.recommended != *plan.recommended) CHECK_THAT(plan.reason, Catch::Contains("the fastest,"));
}

TEST_CASE("a budget or node limit that excludes everything names the constraint", "[planner][objective]") {
  PlanRequest r = two_instance_request();
  r.budget_per_hour_usd = 1.0;
  const PlanResult plan = run_plan(r);
  CHECK_FALSE(plan.recommended);
  CHECK_THROWS_WITH(check_rankable(r, plan), Catch::Contains("--budget $1.00/h is below the cheapest cluster that fits"));
  r.budget_per_hour_usd.reset();
  r.max_nodes = 1;
  CHECK_THROWS_WITH(check_rankable(r, run_plan(r)), Catch::Contains("--max-nodes 1 is below the fewest nodes that fit"));
  r.max_nodes.reset();
  CHECK_NOTHROW(check_rankable(r, run_plan(r)));
}

TEST_CASE("memory hints follow the largest consumer and never suggest a swept strategy", "[planner][objective]") {
  PlanRequest r = two_instance_request();
  r.strategies = {Strategy::zero3, Strategy::mics};
  Candidate c;
  c.strategy.strategy = Strategy::zero3;
  c.micro_batch = 4;
  c.largest_memory_component = "activations";
  const std::string activations = memory_hint(r, c);
  CHECK_THAT(activations, Catch::Contains("smaller micro-batches"));
  CHECK_THAT(activations, Catch::Contains("add GPUs"));
  CHECK_THAT(activations, !Catch::Contains("--strategies"));
  r.activation_checkpointing = false;
  CHECK_THAT(memory_hint(r, c), Catch::Contains("activation checkpointing"));
  c.largest_memory_component = "optimizer states";
  c.strategy.strategy = Strategy::zero2;
  r.strategies = {Strategy::zero2, Strategy::zero3};
  const std::string states = memory_hint(r, c);
  CHECK_THAT(states, Catch::Contains("include mics or hybrid_shard in --strategies"));
  CHECK_THAT(states, !Catch::Contains("zero3 or"));
}

TEST_CASE("the progress bar erases its line when the sweep ends", "[planner][progress]") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f);
  ProgressBar bar(f, true, std::chrono::milliseconds(0));
  bar.update(1, 4);
  CHECK(bar.shown());
  bar.update(4, 4);
  CHECK_FALSE(bar.shown());
  std::rewind(f);
  std::string out;
  for (int ch; (ch = std::fgetc(f)) != EOF;) out += static_cast<char>(ch);
  std::fclose(f);
  const std::string drawn = "[#######                       ] 1/4 candidates";
  CHECK(out == "\r" + drawn + "\r" + std::string(drawn.size(), ' ') + "\r");  // ends with the cursor on a clean line
  ProgressBar off(stderr, false);
  off.update(1, 4);
  CHECK_FALSE(off.shown());
}

TEST_CASE("off a terminal, a long sweep prints one plain line per interval", "[planner][progress]") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f);
  ProgressBar quiet(f, false, std::chrono::seconds(1), "candidates", std::chrono::hours(1));
  quiet.update(1, 4);  // within the interval: nothing
  ProgressBar bar(f, false, std::chrono::seconds(1), "candidates", std::chrono::milliseconds(0));
  bar.update(3, 4);
  bar.update(4, 4);  // the end: nothing more
  std::rewind(f);
  std::string out;
  for (int ch; (ch = std::fgetc(f)) != EOF;) out += static_cast<char>(ch);
  std::fclose(f);
  CHECK(out == "3/4 candidates after 0 s\n");
  CHECK_FALSE(bar.shown());
}
