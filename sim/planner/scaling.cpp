#include "sim/planner/scaling.hpp"

#include "sim/input/input_error.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace shardsim {

std::vector<ScalingPoint> run_scaling(const ScalingRequest& r, const std::function<void(int, int)>& progress) {
  if (r.gpus.empty()) throw InputError("--gpus: give at least one cluster size");
  if (r.strategies.empty()) throw InputError("--strategies: give at least one strategy");
  if (r.micro_batch < 1 || r.accumulation_steps < 1) throw InputError("micro-batch and accumulation must be at least 1");
  const InstanceType inst = load_instance_by_name(r.instance);
  std::vector<int> gpus = r.gpus;
  std::sort(gpus.begin(), gpus.end());
  gpus.erase(std::unique(gpus.begin(), gpus.end()), gpus.end());
  for (int g : gpus)
    if (g < 1 || g % inst.gpus_per_node != 0)
      throw InputError(fmt::format("--gpus: {} is not a whole number of {} nodes ({} GPUs each)", g, inst.name, inst.gpus_per_node));
  const long long per_gpu = static_cast<long long>(r.micro_batch) * r.accumulation_steps;
  const long long strong_batch = per_gpu * gpus.back();

  std::vector<ScalingPoint> points;
  for (const char* mode : {"weak", "strong"})
    for (const auto& s : r.strategies)
      for (int g : gpus) {
        ScalingPoint pt;
        pt.mode = mode;
        Candidate& c = pt.candidate;
        c.index = static_cast<int>(points.size());
        c.instance = inst.name;
        c.gpus = g;
        c.nodes = g / inst.gpus_per_node;
        c.strategy = s;
        c.framework = r.framework;
        c.micro_batch = r.micro_batch;
        const bool weak = pt.mode == "weak";
        pt.global_batch = weak ? per_gpu * g : strong_batch;
        c.accumulation_steps = static_cast<int>(weak ? r.accumulation_steps : strong_batch / (static_cast<long long>(g) * r.micro_batch));
        points.push_back(std::move(pt));
      }
  PlanRequest shared;
  shared.model = r.model;
  shared.activation_checkpointing = r.activation_checkpointing;
  shared.kernels = r.kernels;
  shared.collective_library = r.collective_library;
  parallel_for(static_cast<int>(points.size()), r.threads, [&](int i) {
    Candidate& c = points[i].candidate;
    // A partition larger than the cluster, or one that does not divide it, cannot run there.
    c.resolved = resolve_strategy(make_cluster(inst, c.nodes), c.strategy);
    const int p = c.resolved.partition_size;
    if (p > c.gpus || c.gpus % p != 0) {
      c.why = fmt::format("partition size {} does not divide {} GPUs", p, c.gpus);
      return;
    }
    evaluate_candidate(shared, inst, c);
  }, progress);
  for (auto& pt : points) {
    if (!pt.candidate.fits || pt.candidate.tokens_per_s <= 0) continue;
    pt.tokens_per_s_per_gpu = pt.candidate.tokens_per_s / pt.candidate.gpus;
  }
  for (auto& pt : points) {
    if (pt.tokens_per_s_per_gpu <= 0) continue;
    // Baseline: the smallest cluster of the same mode and strategy where it ran.
    const ScalingPoint* base = nullptr;
    for (const auto& q : points)
      if (q.mode == pt.mode && q.candidate.strategy.strategy == pt.candidate.strategy.strategy &&
          q.candidate.strategy.partition_size == pt.candidate.strategy.partition_size &&
          q.candidate.strategy.hierarchical_gather == pt.candidate.strategy.hierarchical_gather && q.tokens_per_s_per_gpu > 0 &&
          (!base || q.candidate.gpus < base->candidate.gpus))
        base = &q;
    pt.efficiency = pt.tokens_per_s_per_gpu / base->tokens_per_s_per_gpu;
  }
  return points;
}

}  // namespace shardsim
