// Sizing a cluster before renting it. For each instance type and cluster size the planner
// enumerates candidates: strategy x partition-group size (every p that divides the world and
// either divides a node or is whole nodes) x hierarchical gather on/off (where p spans nodes) x
// micro-batch/accumulation splits of the fixed global batch. Each candidate is checked for memory
// first (infeasible ones are kept, marked with the reason, never simulated), then simulated. The
// ranking follows the user's objective: throughput (tokens/s, ties broken by cost per million
// tokens), time (time to train the given tokens: the same order as throughput) or cost (dollars
// per million tokens, i.e. the cost to train any token count, ties broken by throughput); then by
// the candidate's position in the enumeration, so the result does not depend on thread count.
#pragma once

#include "sim/model/transformer.hpp"
#include "sim/strategies/registry.hpp"
#include "sim/strategies/step_config.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace shardsim {

// What the recommendation optimizes.
enum class PlanObjective { throughput, time, cost };
const char* to_string(PlanObjective objective);
// "throughput", "time" or "cost"; anything else throws InputError naming `flag`.
PlanObjective parse_plan_objective(const std::string& text, const std::string& flag);

struct PlanRequest {
  TransformerModel model;
  std::vector<std::string> instances{"p4d.24xlarge"};
  std::vector<int> gpus{128, 256, 512};
  long long global_batch = 1024;     // sequences per optimizer step
  std::vector<Strategy> strategies{Strategy::zero2, Strategy::zero3, Strategy::mics};
  int max_micro_batch_splits = 4;    // the largest micro-batches that divide the per-GPU batch
  std::optional<double> budget_per_hour_usd;
  std::optional<int> max_nodes;
  std::optional<double> train_tokens;  // to report total time and cost
  PlanObjective objective = PlanObjective::throughput;
  bool activation_checkpointing = true;
  KernelChoice kernels;                // the software stack's kernels (block_kernels.hpp)
  int threads = 0;                     // 0 = all cores
  std::string collective_library;      // "gloo", an NCCL version, or "" for each instance's default
  // Framework profiles to sweep (framework/framework_profile.hpp); empty: each strategy's default.
  std::vector<std::string> frameworks;
};

struct Candidate {
  int index = 0;  // enumeration order
  std::string instance;
  int nodes = 0;
  int gpus = 0;
  StrategyConfig strategy;
  std::string framework;      // the framework profile it runs on; "" = the strategy's default
  ResolvedStrategy resolved;  // `strategy` on this cluster: what every output reports
  int micro_batch = 0;
  int accumulation_steps = 0;
  bool fits = false;
  bool within_constraints = true;
  bool simulated = false;  // fits, and its step was simulated (not too large to simulate)
  std::string why;  // why it does not fit, which constraint it breaks, or why it was not simulated
  std::uint64_t memory_per_gpu_bytes = 0;
  std::uint64_t gpu_memory_bytes = 0;
  std::string largest_memory_component;  // of the memory breakdown ("activations", ...)
  double step_time_s = 0;
  double tokens_per_s = 0;
  double tflops_per_gpu = 0;
  double exposed_comm_s = 0;
  double cluster_price_per_hour_usd = 0;
  double usd_per_million_tokens = 0;
  double train_time_s = 0;  // when train_tokens is given
  double train_cost_usd = 0;
};

struct PlanResult {
  std::vector<Candidate> candidates;  // enumeration order
  std::optional<int> recommended;     // index into candidates
  std::string reason;
};

std::vector<Candidate> enumerate_candidates(const PlanRequest& request);
// Memory check, then (if it fits) one simulated step; fills the candidate's figures. Uses only
// `request`'s model, checkpointing and constraints.
void evaluate_candidate(const PlanRequest& request, const InstanceType& instance, Candidate& candidate);
// Runs body(i) for i in [0, n) on `threads` threads (0 = all cores); rethrows the first error as
// InputError. Results must go to per-index slots, so the outcome does not depend on scheduling.
void parallel_for(int n, int threads, const std::function<void(int)>& body, const std::function<void(int, int)>& progress = {});
// Evaluates every candidate (memory, then simulation) on `threads` threads; `progress(done, total)`
// is called from the calling thread only.
PlanResult run_plan(const PlanRequest& request, const std::function<void(int, int)>& progress = {});
// Best feasible candidate: fits, within constraints, first under `objective` (highest tokens/s then
// lowest $/M tokens; for cost the other way round).
std::optional<int> best_candidate(const std::vector<Candidate>& candidates,
                                  PlanObjective objective = PlanObjective::throughput);
// A training run's length for people: "14.2 hours" under two days, else "36.5 days".
std::string format_training_time(double seconds);
// True when `a` ranks before `b` under `objective` (ties: enumeration order).
bool ranks_before(const Candidate& a, const Candidate& b, PlanObjective objective);

}  // namespace shardsim
