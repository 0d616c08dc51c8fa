#include "sim/planner/planner.hpp"

#include "sim/input/input_error.hpp"
#include "sim/input/limits.hpp"
#include "sim/model/memory.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/simulation_size.hpp"
#include "sim/stepsim/step_metrics.hpp"
#include "sim/strategies/compile.hpp"
#include "sim/units/units.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <set>

#include <algorithm>
#include <atomic>
#include <exception>
#include <map>
#include <thread>

namespace shardsim {
namespace {

std::vector<int> partition_sizes(int n, int k) {
  std::vector<int> sizes;
  for (int p = 1; p <= n; ++p)
    if (n % p == 0 && (p <= k ? k % p == 0 : p % k == 0)) sizes.push_back(p);
  return sizes;
}

}  // namespace

const char* to_string(PlanObjective objective) {
  switch (objective) {
    case PlanObjective::throughput: return "throughput";
    case PlanObjective::time: return "time";
    case PlanObjective::cost: return "cost";
  }
  return "?";
}

PlanObjective parse_plan_objective(const std::string& text, const std::string& flag) {
  for (PlanObjective o : {PlanObjective::throughput, PlanObjective::time, PlanObjective::cost})
    if (text == to_string(o)) return o;
  throw InputError(fmt::format("{}: unknown objective '{}' (expected throughput, time or cost)", flag, text));
}

std::vector<Candidate> enumerate_candidates(const PlanRequest& r) {
  if (r.global_batch < 1) throw InputError("the global batch must be at least 1 sequence");
  std::vector<Candidate> out;
  for (const auto& name : r.instances) {
    const InstanceType inst = load_instance_by_name(name);
    for (int gpus : r.gpus) {
      const int k = inst.gpus_per_node;
      if (gpus < 1 || gpus % k != 0)
        throw InputError(fmt::format("{} GPUs is not a whole number of {} nodes ({} GPUs each)", gpus, name, k));
      if (r.global_batch % gpus != 0)
        throw InputError(fmt::format("global batch {} does not divide evenly over {} GPUs", r.global_batch, gpus));
      const long long per_gpu = r.global_batch / gpus;
      std::vector<int> micro;
      for (long long m = per_gpu; m >= 1 && static_cast<int>(micro.size()) < r.max_micro_batch_splits; --m)
        if (per_gpu % m == 0) micro.push_back(static_cast<int>(m));
      // Only the cluster's shape (N, k) is resolved against: not make_cluster, which refuses
      // sizes the enumeration must still count past to reach its own limit.
      const Cluster cluster{inst, gpus / k};
      for (Strategy s : r.strategies) {
        std::vector<std::pair<int, bool>> shapes;  // (partition size, hierarchical gather knob)
        if (resolve_strategy(cluster, {.strategy = s}).has_partition_group()) {
          for (int p : partition_sizes(gpus, k)) {
            if (p == gpus && s == Strategy::mics) continue;  // that is ZeRO-3
            shapes.emplace_back(p, false);
            // The knob on is a candidate of its own only where the strategy then gathers hierarchically.
            if (resolve_strategy(cluster, {.strategy = s, .partition_size = p, .hierarchical_gather = true}).hierarchical_gather)
              shapes.emplace_back(p, true);
          }
        } else {
          shapes.emplace_back(0, false);
        }
        std::vector<std::string> frameworks = r.frameworks;
        if (frameworks.empty()) frameworks.push_back(default_framework(s));
        for (const std::string& framework : frameworks)
        for (auto [p, hier] : shapes)
          for (int m : micro) {
            Candidate c;
            c.index = static_cast<int>(out.size());
            c.instance = inst.name;
            c.nodes = gpus / k;
            c.gpus = gpus;
            c.strategy.strategy = s;
            c.strategy.partition_size = p;
            c.strategy.hierarchical_gather = hier;
            c.framework = framework;
            c.micro_batch = m;
            c.accumulation_steps = static_cast<int>(per_gpu / m);
            out.push_back(c);
            // Counted as they are made, so a million-candidate sweep stops here, not after allocating them all.
            if (static_cast<std::int64_t>(out.size()) > limits::kMaxPlanCandidates)
              throw InputError(fmt::format("the sweep has more than {} candidates, the most the planner runs (sim/input/limits.hpp); "
                                           "narrow the GPU counts, strategies or --splits", limits::kMaxPlanCandidates));
          }
      }
    }
  }
  return out;
}

namespace {

}  // namespace

void evaluate_candidate(const PlanRequest& r, const InstanceType& instance, Candidate& c) {
  Scenario sc;
  sc.cluster = make_cluster(instance, c.nodes);
  sc.step.model = r.model;
  sc.step.strategy = c.strategy;
  sc.step.micro_batch = c.micro_batch;
  sc.step.accumulation_steps = c.accumulation_steps;
  sc.step.activation_checkpointing = r.activation_checkpointing;
  sc.step.kernels = r.kernels;
  if (c.framework.empty()) c.framework = default_framework(c.strategy.strategy);
  sc.step.framework = load_framework(c.framework);
  c.resolved = resolve_strategy(sc.cluster, c.strategy);
  c.cluster_price_per_hour_usd = sc.cluster.instance.price_per_hour_usd * c.nodes;
  c.gpu_memory_bytes = sc.cluster.instance.gpu.memory_bytes;
  const MemoryBreakdown mem = estimate_memory(memory_input(sc));
  c.memory_per_gpu_bytes = mem.total_bytes;
  c.largest_memory_component = mem.largest_component;
  c.fits = fits(mem, c.gpu_memory_bytes);
  if (!c.fits) {
    c.why = fmt::format("needs {} per GPU of {}; largest: {}", format_size(mem.total_bytes), format_size(c.gpu_memory_bytes),
                        mem.largest_component);
    return;
  }
  if (r.max_nodes && c.nodes > *r.max_nodes) {
    c.within_constraints = false;
    c.why = fmt::format("{} nodes exceeds the limit of {}", c.nodes, *r.max_nodes);
  } else if (r.budget_per_hour_usd && c.cluster_price_per_hour_usd > *r.budget_per_hour_usd) {
    c.within_constraints = false;
    c.why = fmt::format("${:.2f}/h exceeds the budget of ${:.2f}/h", c.cluster_price_per_hour_usd, *r.budget_per_hour_usd);
  }
  Schedule schedule;
  try {
    check_schedule_size(sc.step);
    schedule = compile_schedule(sc.cluster, sc.step);
    check_simulation_size(schedule);
  } catch (const SimulationTooLarge& e) {
    // One candidate too large to simulate must not stop a sweep whose others are fine.
    c.within_constraints = false;
    c.why = fmt::format("not simulated: {}", e.what());
    return;
  }
  const StepResult res =
      simulate_step(sc.cluster, schedule, FlowModel::automatic, load_collective_library(r.collective_library, instance));
  c.simulated = true;
  const StepMetrics m = step_metrics(sc, res);
  c.step_time_s = m.step_time_s;
  c.tokens_per_s = m.tokens_per_s;
  c.tflops_per_gpu = m.tflops_per_gpu;
  c.exposed_comm_s = m.exposed_comm_s;
  c.usd_per_million_tokens = c.cluster_price_per_hour_usd / 3600.0 / c.tokens_per_s * 1e6;
  if (r.train_tokens) {
    c.train_time_s = *r.train_tokens / c.tokens_per_s;
    c.train_cost_usd = c.train_time_s / 3600.0 * c.cluster_price_per_hour_usd;
  }
}

namespace {

std::string describe(const Candidate& c) {
  std::string s = to_string(c.strategy.strategy);
  if (c.resolved.has_partition_group())
    s += fmt::format(" p={}{}", c.resolved.partition_size, c.resolved.hierarchical_gather ? " hierarchical" : "");
  if (!c.framework.empty()) s += " (" + c.framework + ")";
  return s;
}

// Throughputs closer than this are not told apart: the validated errors of the model against
// published runs are larger (validate/reports/frameworks), so the planner names such runners-up.
constexpr double kIndistinguishable = 0.02;

// What the objective compares, and how far `c` is from `best` in those terms ("1.2% slower").
double objective_gap(const Candidate& c, const Candidate& best, PlanObjective objective) {
  if (objective == PlanObjective::cost) return c.usd_per_million_tokens / best.usd_per_million_tokens - 1;
  return 1 - c.tokens_per_s / best.tokens_per_s;
}

std::string gap_text(double gap, PlanObjective objective) {
  return fmt::format("{:.1f}% {}", 100 * gap, objective == PlanObjective::cost ? "dearer" : "slower");
}

std::string recommendation_reason(const PlanRequest& r, const std::vector<Candidate>& all, const Candidate& best) {
  const PlanObjective objective = r.objective;
  std::string reason = fmt::format("{} on {} x {} ({} GPUs), micro-batch {} x {} micro-steps: {:.0f} tokens/s, ${:.2f} per million tokens",
                                   describe(best), best.nodes, best.instance, best.gpus, best.micro_batch, best.accumulation_steps,
                                   best.tokens_per_s, best.usd_per_million_tokens);
  if (r.train_tokens)
    reason += fmt::format(" ({:.3g} tokens in {} for ${:.0f})", *r.train_tokens, format_training_time(best.train_time_s), best.train_cost_usd);
  switch (objective) {
    case PlanObjective::throughput: reason += "; ranked by throughput"; break;
    case PlanObjective::time: reason += "; ranked by time to train (throughput)"; break;
    case PlanObjective::cost: reason += "; ranked by cost per token"; break;
  }
  // Under cost, the fastest candidate when it is another one: what the cheaper choice gives up.
  if (objective == PlanObjective::cost) {
    const auto fastest = best_candidate(all, PlanObjective::throughput);
    if (fastest && *fastest != best.index) {
      const Candidate& f = all[*fastest];
      reason += fmt::format("; the fastest, {} on {} x {}, is {:.2f}% faster at ${:.2f} per million tokens", describe(f), f.nodes, f.instance,
                            100 * (f.tokens_per_s / best.tokens_per_s - 1), f.usd_per_million_tokens);
    }
  }
  // Compare with the best ZeRO-3 on the same cluster, the usual default.
  const Candidate* zero3 = nullptr;
  for (const auto& c : all)
    if (c.fits && c.within_constraints && c.instance == best.instance && c.gpus == best.gpus && c.strategy.strategy == Strategy::zero3 &&
        (!zero3 || c.tokens_per_s > zero3->tokens_per_s))
      zero3 = &c;
  if (zero3 && zero3 != &best && best.strategy.strategy != Strategy::zero3)
    reason += fmt::format("; {:.2f}x the throughput of the best ZeRO-3 on the same cluster", best.tokens_per_s / zero3->tokens_per_s);
  else if (!zero3 && best.strategy.strategy != Strategy::zero3)
    reason += "; ZeRO-3 does not fit or is not allowed on this cluster";
  // Other strategies or partition sizes on the same cluster within kIndistinguishable of the best
  // under the objective.
  std::vector<std::string> close;
  std::set<std::string> named{describe(best)};
  for (const auto& c : all)
    if (c.simulated && c.within_constraints && c.instance == best.instance && c.gpus == best.gpus &&
        objective_gap(c, best, objective) <= kIndistinguishable && named.insert(describe(c)).second)
      close.push_back(fmt::format("{} ({})", describe(c), gap_text(objective_gap(c, best, objective), objective)));
  if (!close.empty())
    reason += fmt::format("; within {:.0f}%, closer than the model can tell apart: {}", 100 * kIndistinguishable, fmt::join(close, ", "));
  const double headroom = static_cast<double>(best.gpu_memory_bytes) - static_cast<double>(best.memory_per_gpu_bytes);
  reason += fmt::format("; {:.1f} GiB memory headroom per GPU", headroom / kGiB);
  if (best.resolved.has_partition_group()) {
    const int p = best.resolved.partition_size, k = best.resolved.gpus_per_node;
    reason += p <= k ? "; parameter gathers stay inside one node" : fmt::format("; parameter gathers span {} nodes", p / k);
  }
  return reason;
}

}  // namespace

std::string format_training_time(double seconds) {
  const double hours = seconds / 3600;
  return hours < 48 ? fmt::format("{:.1f} hours", hours) : fmt::format("{:.1f} days", hours / 24);
}

bool ranks_before(const Candidate& a, const Candidate& b, PlanObjective objective) {
  if (objective == PlanObjective::cost) {
    if (a.usd_per_million_tokens != b.usd_per_million_tokens) return a.usd_per_million_tokens < b.usd_per_million_tokens;
    if (a.tokens_per_s != b.tokens_per_s) return a.tokens_per_s > b.tokens_per_s;
  } else {
    if (a.tokens_per_s != b.tokens_per_s) return a.tokens_per_s > b.tokens_per_s;
    if (a.usd_per_million_tokens != b.usd_per_million_tokens) return a.usd_per_million_tokens < b.usd_per_million_tokens;
  }
  return a.index < b.index;
}

std::optional<int> best_candidate(const std::vector<Candidate>& cs, PlanObjective objective) {
  std::optional<int> best;
  for (const auto& c : cs) {
    if (!c.fits || !c.within_constraints) continue;
    if (!best || ranks_before(c, cs[*best], objective)) best = c.index;
  }
  return best;
}

void parallel_for(int total, int thread_count, const std::function<void(int)>& body, const std::function<void(int, int)>& progress) {
  if (total <= 0) return;
  const int threads =
      std::max(1, std::min(thread_count > 0 ? thread_count : static_cast<int>(std::thread::hardware_concurrency()), total));
  std::atomic<int> next{0}, done{0};
  // The failure of the lowest-numbered item is rethrown as it was thrown (a user error stays one,
  // a bug stays a bug), so the message does not depend on which thread got there first.
  std::vector<std::pair<int, std::exception_ptr>> failures(threads, {total, nullptr});
  auto worker = [&](int t) {
    for (int i = next++; i < total; i = next++) {
      try {
        body(i);
      } catch (...) {
        if (i < failures[t].first) failures[t] = {i, std::current_exception()};
      }
      ++done;
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker, t);
  while (progress && done.load() < total) {
    progress(done.load(), total);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (auto& th : pool) th.join();
  if (progress) progress(total, total);
  const auto first = std::min_element(failures.begin(), failures.end(),
                                      [](const auto& a, const auto& b) { return a.first < b.first; });
  if (first->second) std::rethrow_exception(first->second);
}

PlanResult run_plan(const PlanRequest& r, const std::function<void(int, int)>& progress) {
  PlanResult result;
  result.candidates = enumerate_candidates(r);
  std::map<std::string, InstanceType> instances;
  for (const auto& c : result.candidates)
    if (!instances.count(c.instance)) instances.emplace(c.instance, load_instance_by_name(c.instance));
  parallel_for(static_cast<int>(result.candidates.size()), r.threads,
               [&](int i) { evaluate_candidate(r, instances.at(result.candidates[i].instance), result.candidates[i]); }, progress);
  result.recommended = best_candidate(result.candidates, r.objective);
  if (result.recommended) result.reason = recommendation_reason(r, result.candidates, result.candidates[*result.recommended]);
  else result.reason = "no candidate fits in memory within the constraints";
  return result;
}

}  // namespace shardsim
