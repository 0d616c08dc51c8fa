#include "runtime/step/step_report.hpp"

#include "runtime/step/live_schedule.hpp"
#include "sim/schedule/rank_program.hpp"
#include "sim/stepsim/trace.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace shardsim::runtime {

StepStatistics step_statistics(const WorldTimings& timings) {
  if (timings.empty() || timings.front().empty()) throw std::logic_error("no timings to summarise");
  const std::size_t iterations = timings.front().size();
  const std::size_t ops = timings.front().front().size();
  StepStatistics stats;
  std::vector<std::vector<OpStatistics>> spans(ops);  // [op][iteration]
  for (std::size_t it = 0; it < iterations; ++it) {
    double step = 0;
    for (std::size_t op = 0; op < ops; ++op) {
      OpStatistics span{timings[0][it][op].start_s, timings[0][it][op].end_s, 0};
      for (const RankTimings& rank : timings) {
        span.start_s = std::min(span.start_s, rank[it][op].start_s);
        span.end_s = std::max(span.end_s, rank[it][op].end_s);
        // A rank's own duration: the spread of starts between ranks is not part of the op.
        span.duration_s = std::max(span.duration_s, rank[it][op].end_s - rank[it][op].start_s);
      }
      step = std::max(step, span.end_s);
      spans[op].push_back(span);
    }
    stats.step_times_s.push_back(step);
  }
  stats.step_time_s = median(stats.step_times_s);
  const auto [lowest, highest] = std::minmax_element(stats.step_times_s.begin(), stats.step_times_s.end());
  stats.spread_s = *highest - *lowest;
  std::vector<int> order(iterations);
  for (std::size_t i = 0; i < iterations; ++i) order[i] = static_cast<int>(i);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return stats.step_times_s[a] < stats.step_times_s[b]; });
  stats.median_iteration = order[(iterations - 1) / 2];
  for (const auto& per_iteration : spans) {
    std::vector<double> start, end, duration;
    for (const auto& s : per_iteration) {
      start.push_back(s.start_s);
      end.push_back(s.end_s);
      duration.push_back(s.duration_s);
    }
    stats.ops.push_back({median(start), median(end), median(duration)});
  }
  return stats;
}

StepPasses measured_passes(const Schedule& schedule, const StepStatistics& stats) {
  StepResult measured;
  measured.step_time_s = stats.step_time_s;
  for (const OpStatistics& op : stats.ops) measured.ops.push_back({op.start_s, op.end_s});
  return pass_times(schedule, measured);
}

nlohmann::ordered_json step_summary_json(const StepRunInfo& info, const Schedule& schedule, const StepStatistics& stats,
                                         const StepResult* prediction, const std::string& prediction_topology) {
  nlohmann::ordered_json j;
  j["scenario"] = info.scenario;
  j["strategy"] = info.strategy;
  j["backend"] = info.backend;
  j["compute_emulation"] = info.compute_emulation;
  j["scale_bytes"] = info.scale_bytes;
  j["scale_compute"] = info.scale_compute;
  j["ranks"] = info.ranks;
  j["ranks_per_node"] = info.ranks_per_node;
  j["nodes"] = info.ranks / info.ranks_per_node;
  j["scenario_gpus"] = info.scenario_gpus;
  j["model_instance"] = info.model_instance;
  j["iterations"] = stats.step_times_s.size();
  j["warmup"] = info.warmup;
  j["step_time_s"] = stats.step_time_s;
  j["step_times_s"] = stats.step_times_s;
  j["spread_s"] = stats.spread_s;
  j["median_iteration"] = stats.median_iteration;
  j["communicators"] = info.communicators;
  nlohmann::ordered_json ops = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < schedule.program.ops.size(); ++i) {
    const Op& op = schedule.program.ops[i];
    nlohmann::ordered_json o;
    o["index"] = i;
    o["label"] = op.label;
    o["stream"] = to_string(op.stream);
    std::string kind = "compute", algorithm, group;
    int group_size = 0;
    double bytes = 0, padded = 0;
    if (const auto* c = std::get_if<CollectiveOp>(&op.body)) {
      const Group& g = schedule.groups[c->group];
      kind = to_string(c->kind);
      algorithm = to_string(c->algorithm);
      group = to_string(g.role);
      group_size = static_cast<int>(g.ranks.size());
      bytes = c->bytes;
      padded = static_cast<double>(collective_size(*c, group_size).padded_bytes);
    } else if (const auto* c = std::get_if<CopyOp>(&op.body)) {
      kind = "copy";
      bytes = padded = c->bytes;
    } else if (std::holds_alternative<HostOp>(op.body)) {
      kind = "host";
    }
    o["kind"] = kind;
    o["algorithm"] = algorithm;
    o["group"] = group;
    o["group_size"] = group_size;
    o["bytes"] = bytes;
    o["padded_bytes"] = padded;
    o["micro_step"] = op.micro_step;
    o["layer"] = op.layer;
    o["start_s"] = stats.ops[i].start_s;
    o["end_s"] = stats.ops[i].end_s;
    o["duration_s"] = stats.ops[i].duration_s;
    ops.push_back(std::move(o));
  }
  j["ops"] = std::move(ops);
  j["passes"] = passes_json(measured_passes(schedule, stats));
  if (prediction) {
    nlohmann::ordered_json p;
    p["topology"] = prediction_topology;
    p["step_time_s"] = prediction->step_time_s;
    p["passes"] = passes_json(pass_times(schedule, *prediction));
    p["compute_s"] = prediction->compute_busy_s;
    p["exposed_comm_s"] = prediction->exposed_comm_s;
    nlohmann::ordered_json pops = nlohmann::ordered_json::array();
    for (const OpTiming& t : prediction->ops) pops.push_back({{"start_s", t.start_s}, {"end_s", t.end_s}});
    p["ops"] = std::move(pops);
    j["prediction"] = std::move(p);
  }
  return j;
}

std::string step_trace_json(const Schedule& schedule, const WorldTimings& timings, int iteration, const std::string& name) {
  std::vector<Schedule> programs;
  programs.reserve(timings.size());
  for (std::size_t rank = 0; rank < timings.size(); ++rank) programs.push_back(rank_program(schedule, static_cast<int>(rank)));
  std::vector<RankTrace> traces;
  for (std::size_t rank = 0; rank < timings.size(); ++rank)
    traces.push_back({&programs[rank], &timings[rank].at(iteration), fmt::format("{} rank {}", name, rank)});
  return perfetto_trace_json(traces);
}

}  // namespace shardsim::runtime
