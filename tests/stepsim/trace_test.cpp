// The Perfetto trace: collective slices carry group size, ranks and achieved bandwidth, compute
// slices their FLOPs, cross-stream dependencies are flow arrows, and several ranks are processes.
#include "sim/input/input_error.hpp"
#include "sim/stepsim/trace.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <map>

using namespace shardsim;

namespace {

// Four ranks in two partition groups {0,1} and {2,3}: a gather, then the compute that needs it.
Schedule two_group_schedule() {
  Schedule s;
  s.world_size = 4;
  s.groups = {Group{0, GroupRole::partition, {0, 1}}, Group{1, GroupRole::partition, {2, 3}}};
  s.communicators = {CommunicatorInfo{0, GroupRole::partition, 2, "partition"}};
  CollectiveOp gather;
  gather.kind = CollectiveKind::all_gather;
  gather.group = 0;
  gather.bytes = 2e9;
  s.program.add(Op{gather, Stream::gather, {}, "ag L0", 0, 0});
  s.program.add(Op{ComputeOp{3e12, 1e9, {}}, Stream::compute, {0}, "fwd L0", 0, 0});
  s.program.add(Op{ComputeOp{1e12, 0, {}}, Stream::compute, {1}, "fwd L1", 0, 1});  // same stream: no arrow
  return s;
}

}  // namespace

TEST_CASE("trace slices carry group, ranks, bandwidth and FLOPs, and dependencies are flows", "[stepsim][trace]") {
  const Schedule s = two_group_schedule();
  const std::vector<OpTiming> timing{{0, 1}, {1, 2}, {2, 3}};
  const auto trace = nlohmann::json::parse(perfetto_trace_json(s, timing, "test rank 0"));
  std::map<std::string, nlohmann::json> slices;
  int flow_starts = 0, flow_ends = 0;
  for (const auto& e : trace["traceEvents"]) {
    if (e["ph"] == "X") slices[e["name"]] = e;
    if (e["ph"] == "s") ++flow_starts;
    if (e["ph"] == "f") {
      ++flow_ends;
      CHECK(e["ts"] == 1e6);  // the compute's start, where it stopped waiting
      CHECK(e["tid"] == static_cast<int>(Stream::compute));
    }
  }
  const auto& ag = slices.at("ag L0")["args"];
  CHECK(ag["group_size"] == 2);
  CHECK(ag["ranks"] == "0-1");
  CHECK(ag["algbw_GBps"].get<double>() == Approx(2.0));                // 2e9 bytes in 1 s
  CHECK(ag["busbw_GBps"].get<double>() == Approx(1.0));                // x (n-1)/n
  const auto& fwd = slices.at("fwd L0")["args"];
  CHECK(fwd["flops"].get<double>() == 3e12);
  CHECK(fwd["achieved_TFLOPs"].get<double>() == Approx(3.0));
  CHECK(flow_starts == 1);  // the gather -> compute dependency only
  CHECK(flow_ends == 1);
}

TEST_CASE("a trace of several ranks shows each rank's own groups", "[stepsim][trace]") {
  const Schedule s = two_group_schedule();
  const std::vector<OpTiming> timing{{0, 1}, {1, 2}, {2, 3}};
  const auto trace = nlohmann::json::parse(perfetto_trace_json_of_ranks(s, timing, {0, 3}, "test"));
  std::map<int, std::string> ranks_of_gather;
  std::map<int, double> flow_ids;
  for (const auto& e : trace["traceEvents"]) {
    if (e["ph"] == "X" && e["name"] == "ag L0") ranks_of_gather[e["pid"].get<int>()] = e["args"]["ranks"];
    if (e["ph"] == "s") flow_ids[e["pid"].get<int>()] = e["id"].get<double>();
  }
  CHECK(ranks_of_gather == std::map<int, std::string>{{0, "0-1"}, {3, "2-3"}});
  CHECK(flow_ids.at(0) != flow_ids.at(3));  // flow ids do not collide across ranks
  CHECK_THROWS_AS(perfetto_trace_json_of_ranks(s, timing, {4}, "test"), InputError);
  CHECK(rank_ranges({5, 0, 1, 2, 7, 8}) == "0-2,5,7-8");
}

TEST_CASE("the trace's memory track holds a gather's bytes until the compute reading it ends", "[stepsim][trace]") {
  const Schedule s = two_group_schedule();
  const std::vector<OpTiming> timing{{0, 1}, {1, 4}, {4, 5}};
  const auto trace = nlohmann::json::parse(perfetto_trace_json(s, timing, "rank 0"));
  std::vector<std::pair<double, double>> samples;  // (ts us, bytes)
  for (const auto& e : trace["traceEvents"])
    if (e["ph"] == "C" && e["name"] == "gathered parameters") samples.emplace_back(e["ts"].get<double>(), e["args"]["bytes"].get<double>());
  REQUIRE(samples.size() == 2);
  CHECK(samples[0] == std::make_pair(0.0, 2e9));  // allocated when the gather starts
  CHECK(samples[1] == std::make_pair(4e6, 0.0));  // freed when "fwd L0" (which depends on it) ends
}
