#include "sim/stepsim/trace.hpp"

#include "sim/input/input_error.hpp"
#include "sim/schedule/rank_program.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace shardsim {
namespace {

constexpr double kUs = 1e6;

// Flow ids are unique over the whole trace: the rank's process id times this, plus a counter.
constexpr double kFlowIdsPerRank = 1e7;

// A counter track of the parameters gathered at each moment: an all-gather's output is allocated
// when it starts and freed when the last compute op reading it (depending on it) ends, or, where no
// compute op depends on it directly, when the first compute op starting after it ends.
void append_gathered_memory(nlohmann::ordered_json& events, const Schedule& s, const std::vector<OpTiming>& timing, int pid) {
  const std::size_t n = std::min(s.program.ops.size(), timing.size());
  std::vector<double> freed_s(n, -1);
  for (std::size_t i = 0; i < n; ++i)
    if (std::holds_alternative<ComputeOp>(s.program.ops[i].body))
      for (int d : s.program.ops[i].deps)
        if (d >= 0 && static_cast<std::size_t>(d) < n) freed_s[d] = std::max(freed_s[d], timing[i].end_s);
  std::vector<std::pair<double, double>> computes;  // (start, end) of every compute op, by start
  for (std::size_t i = 0; i < n; ++i)
    if (std::holds_alternative<ComputeOp>(s.program.ops[i].body)) computes.emplace_back(timing[i].start_s, timing[i].end_s);
  std::sort(computes.begin(), computes.end());
  std::vector<std::pair<double, double>> changes;  // (time, bytes allocated or freed)
  for (std::size_t i = 0; i < n; ++i) {
    const auto* c = std::get_if<CollectiveOp>(&s.program.ops[i].body);
    if (!c || c->kind != CollectiveKind::all_gather) continue;
    double free_s = freed_s[i];
    if (free_s < 0) {
      const auto next = std::lower_bound(computes.begin(), computes.end(), std::make_pair(timing[i].end_s, -1e300));
      if (next != computes.end()) free_s = next->second;
    }
    changes.emplace_back(timing[i].start_s, c->bytes);
    changes.emplace_back(free_s < 0 ? timing[i].end_s : free_s, -c->bytes);
  }
  if (changes.empty()) return;
  std::stable_sort(changes.begin(), changes.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  double bytes = 0;
  for (std::size_t k = 0; k < changes.size(); ++k) {
    bytes += changes[k].second;
    if (k + 1 < changes.size() && changes[k + 1].first == changes[k].first) continue;  // one sample per instant
    events.push_back({{"name", "gathered parameters"}, {"ph", "C"}, {"pid", pid}, {"ts", changes[k].first * kUs},
                      {"args", {{"bytes", std::max(0.0, bytes)}}}});
  }
}

void append_rank(nlohmann::ordered_json& events, const Schedule& s, const std::vector<OpTiming>& timing, const std::string& process_name) {
  const int pid = s.program.rank;
  events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", pid}, {"args", {{"name", process_name}}}});
  for (Stream st : {Stream::compute, Stream::gather, Stream::reduce, Stream::host})
    events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", pid}, {"tid", static_cast<int>(st)},
                      {"args", {{"name", to_string(st)}}}});
  const std::size_t n = std::min(s.program.ops.size(), timing.size());
  for (std::size_t i = 0; i < n; ++i) {
    const Op& op = s.program.ops[i];
    const double duration_s = timing[i].end_s - timing[i].start_s;
    nlohmann::ordered_json args{{"op", i}, {"micro_step", op.micro_step}};
    if (const auto* c = std::get_if<CollectiveOp>(&op.body)) {
      const Group& g = s.groups[c->group];
      const int p = static_cast<int>(g.ranks.size());
      args["bytes"] = c->bytes;
      args["group"] = to_string(g.role);
      args["group_size"] = p;
      args["ranks"] = rank_ranges(g.ranks);
      args["communicator"] = s.communicators.at(c->communicator).label;
      args["algorithm"] = to_string(c->algorithm);
      if (duration_s > 0) {
        const double algbw = c->bytes / duration_s / 1e9;
        args["algbw_GBps"] = algbw;
        args["busbw_GBps"] = algbw * bus_bandwidth_factor(c->kind, p);
      }
    } else if (const auto* k = std::get_if<ComputeOp>(&op.body)) {
      args["flops"] = k->flops;
      args["hbm_bytes"] = k->hbm_bytes;
      if (duration_s > 0) args["achieved_TFLOPs"] = k->flops / duration_s / 1e12;
    } else if (const auto* copy = std::get_if<CopyOp>(&op.body)) {
      args["bytes"] = copy->bytes;
    }
    events.push_back({{"name", op.label}, {"ph", "X"}, {"pid", pid}, {"tid", static_cast<int>(op.stream)},
                      {"ts", timing[i].start_s * kUs}, {"dur", duration_s * kUs}, {"args", args}});
  }
  append_gathered_memory(events, s, timing, pid);
  // Dependencies across streams as flow arrows: from inside the op depended on to the start of
  // the op that waited for it.
  double flow = pid * kFlowIdsPerRank;
  for (std::size_t i = 0; i < n; ++i) {
    const Op& op = s.program.ops[i];
    for (int d : op.deps) {
      if (d < 0 || static_cast<std::size_t>(d) >= n || s.program.ops[d].stream == op.stream) continue;
      const Op& from = s.program.ops[d];
      const double id = flow++;
      events.push_back({{"name", "dependency"}, {"cat", "dependency"}, {"ph", "s"}, {"id", id}, {"pid", pid},
                        {"tid", static_cast<int>(from.stream)}, {"ts", timing[d].start_s * kUs}});
      events.push_back({{"name", "dependency"}, {"cat", "dependency"}, {"ph", "f"}, {"bp", "e"}, {"id", id}, {"pid", pid},
                        {"tid", static_cast<int>(op.stream)}, {"ts", timing[i].start_s * kUs}});
    }
  }
}

}  // namespace

std::string rank_ranges(const std::vector<int>& unsorted) {
  std::vector<int> ranks = unsorted;
  std::sort(ranks.begin(), ranks.end());
  std::string out;
  for (std::size_t i = 0; i < ranks.size();) {
    std::size_t j = i;
    while (j + 1 < ranks.size() && ranks[j + 1] == ranks[j] + 1) ++j;
    if (!out.empty()) out += ",";
    out += j == i ? fmt::format("{}", ranks[i]) : fmt::format("{}-{}", ranks[i], ranks[j]);
    i = j + 1;
  }
  return out;
}

std::string perfetto_trace_json(const std::vector<RankTrace>& ranks) {
  nlohmann::ordered_json events = nlohmann::ordered_json::array();
  for (const RankTrace& r : ranks) append_rank(events, *r.schedule, *r.timing, r.process_name);
  return nlohmann::ordered_json{{"traceEvents", events}, {"displayTimeUnit", "ms"}}.dump() + "\n";
}

std::string perfetto_trace_json(const Schedule& s, const std::vector<OpTiming>& timing, const std::string& process_name) {
  return perfetto_trace_json({RankTrace{&s, &timing, process_name}});
}

std::string perfetto_trace_json_of_ranks(const Schedule& schedule, const std::vector<OpTiming>& timing, const std::vector<int>& ranks,
                                         const std::string& name) {
  std::vector<Schedule> programs;
  programs.reserve(ranks.size());
  for (int r : ranks) {
    if (r < 0 || r >= schedule.world_size)
      throw InputError(fmt::format("--trace-ranks: rank {} is outside the world of {} ranks (0-{})", r, schedule.world_size,
                                   schedule.world_size - 1));
    programs.push_back(r == schedule.program.rank ? schedule : rank_program(schedule, r));
  }
  std::vector<RankTrace> traces;
  for (const Schedule& p : programs) traces.push_back({&p, &timing, fmt::format("{} rank {}", name, p.program.rank)});
  return perfetto_trace_json(traces);
}

}  // namespace shardsim
