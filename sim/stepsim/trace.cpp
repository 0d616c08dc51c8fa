#include "sim/stepsim/trace.hpp"

#include <nlohmann/json.hpp>

namespace shardsim {

std::string perfetto_trace_json(const Schedule& s, const std::vector<OpTiming>& timing, const std::string& process_name) {
  nlohmann::ordered_json events = nlohmann::ordered_json::array();
  const int pid = s.program.rank;
  events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", pid}, {"args", {{"name", process_name}}}});
  for (Stream st : {Stream::compute, Stream::gather, Stream::reduce, Stream::host})
    events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", pid}, {"tid", static_cast<int>(st)},
                      {"args", {{"name", to_string(st)}}}});
  for (std::size_t i = 0; i < s.program.ops.size() && i < timing.size(); ++i) {
    const Op& op = s.program.ops[i];
    nlohmann::ordered_json args{{"op", i}, {"micro_step", op.micro_step}};
    if (const auto* c = std::get_if<CollectiveOp>(&op.body)) {
      args["bytes"] = c->bytes;
      args["group"] = to_string(s.groups[c->group].role);
      args["communicator"] = s.communicators.at(c->communicator).label;
      args["algorithm"] = to_string(c->algorithm);
    }
    events.push_back({{"name", op.label}, {"ph", "X"}, {"pid", pid}, {"tid", static_cast<int>(op.stream)},
                      {"ts", timing[i].start_s * 1e6}, {"dur", (timing[i].end_s - timing[i].start_s) * 1e6}, {"args", args}});
  }
  return nlohmann::ordered_json{{"traceEvents", events}, {"displayTimeUnit", "ms"}}.dump() + "\n";
}

}  // namespace shardsim
