#include "sim/planner/plan_checks.hpp"

#include "sim/input/input_error.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <vector>

namespace shardsim {
namespace {

bool swept(const PlanRequest& r, Strategy s) { return std::find(r.strategies.begin(), r.strategies.end(), s) != r.strategies.end(); }

std::string describe_cluster(const Candidate& c) {
  return fmt::format("{} on {} x {} ({} GPUs)", to_string(c.strategy.strategy), c.nodes, c.instance, c.gpus);
}

}  // namespace

std::string memory_hint(const PlanRequest& r, const Candidate& c) {
  std::vector<std::string> hints;
  if (c.largest_memory_component == "activations") {
    if (!r.activation_checkpointing) hints.push_back("turn activation checkpointing back on (drop --no-checkpointing)");
    if (c.micro_batch > 1)
      hints.push_back(fmt::format("try smaller micro-batches (--splits above {}, or a smaller --global-batch)", r.max_micro_batch_splits));
    hints.push_back("add GPUs (--gpus), which shrinks each GPU's share of the global batch");
    hints.push_back("or train shorter sequences (--seq-len)");
    return fmt::format("sharding does not shrink activations: {}", fmt::join(hints, ", "));
  }
  // Model states, gathered parameters or buckets: shard more, or over more GPUs.
  std::vector<std::string> missing;
  for (Strategy s : {Strategy::zero3, Strategy::mics, Strategy::hybrid_shard})
    if (!swept(r, s)) missing.push_back(to_string(s));
  if (!missing.empty() && c.strategy.strategy != Strategy::zero3)
    hints.push_back(fmt::format("include {} in --strategies", fmt::join(missing, " or ")));
  hints.push_back("add GPUs (--gpus) to shard over more of them");
  return fmt::format("to shrink the {}, {}", c.largest_memory_component, fmt::join(hints, ", or "));
}

void check_rankable(const PlanRequest& r, const PlanResult& plan) {
  if (plan.recommended) return;
  const auto& cs = plan.candidates;
  const Candidate* smallest = nullptr;
  bool any_fits = false;
  for (const auto& c : cs) {
    if (c.fits) { any_fits = true; continue; }
    if (!smallest || c.memory_per_gpu_bytes < smallest->memory_per_gpu_bytes) smallest = &c;
  }
  if (!any_fits) {
    if (!smallest) throw InputError("the sweep has no candidates; give GPU counts (--gpus) and strategies (--strategies)");
    throw InputError(fmt::format("{} fits in memory in none of the {} candidates; the closest, {}, {}; {}", r.model.name, cs.size(),
                                 describe_cluster(*smallest), smallest->why, memory_hint(r, *smallest)));
  }
  // Candidates that fit and were simulated but break a constraint: the constraint is the problem.
  std::vector<const Candidate*> excluded;
  for (const auto& c : cs)
    if (c.simulated && !c.within_constraints) excluded.push_back(&c);
  if (!excluded.empty()) {
    std::vector<std::string> parts;
    if (r.budget_per_hour_usd) {
      const Candidate* cheapest = *std::min_element(excluded.begin(), excluded.end(), [](const Candidate* a, const Candidate* b) {
        return a->cluster_price_per_hour_usd < b->cluster_price_per_hour_usd;
      });
      if (cheapest->cluster_price_per_hour_usd > *r.budget_per_hour_usd)
        parts.push_back(fmt::format("--budget ${:.2f}/h is below the cheapest cluster that fits, {} at ${:.2f}/h", *r.budget_per_hour_usd,
                                    describe_cluster(*cheapest), cheapest->cluster_price_per_hour_usd));
    }
    if (r.max_nodes) {
      const Candidate* fewest = *std::min_element(excluded.begin(), excluded.end(),
                                                  [](const Candidate* a, const Candidate* b) { return a->nodes < b->nodes; });
      if (fewest->nodes > *r.max_nodes)
        parts.push_back(fmt::format("--max-nodes {} is below the fewest nodes that fit, {}", *r.max_nodes, describe_cluster(*fewest)));
    }
    if (parts.empty()) parts.push_back(fmt::format("the constraints exclude all of them; the first, {}, {}", describe_cluster(*excluded.front()),
                                                   excluded.front()->why));
    throw InputError(fmt::format("no candidate is within the constraints: {} of {} fit in memory, but {}", excluded.size(), cs.size(),
                                 fmt::join(parts, ", and ")));
  }
  const auto first_fit = std::find_if(cs.begin(), cs.end(), [](const Candidate& c) { return c.fits; });
  throw InputError(fmt::format("none of the {} candidates that fit in memory could be simulated; the first, {}, was {}",
                               std::count_if(cs.begin(), cs.end(), [](const Candidate& c) { return c.fits; }),
                               fmt::format("{} on {} GPUs", to_string(first_fit->strategy.strategy), first_fit->gpus), first_fit->why));
}

}  // namespace shardsim
