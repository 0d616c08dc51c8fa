// The live step executor on 4 ranks (2 emulated nodes x 2) as threads over real Gloo connections:
// the toy ZeRO-3 and MiCS schedules run to completion with the simulator's ordering rules, and
// the report holds every op of every rank.
#include "runtime/step/compute_emulation.hpp"
#include "runtime/step/live_schedule.hpp"
#include "runtime/step/step_executor.hpp"
#include "runtime/step/step_report.hpp"
#include "sim/compute/compute_time.hpp"
#include "sim/input/input_error.hpp"
#include "sim/schedule/rank_program.hpp"
#include "sim/strategies/compile.hpp"

#include "tests/runtime/thread_world.hpp"
#include "tests/support/test_data.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <mutex>

using namespace shardsim;
using namespace shardsim::runtime;

namespace {

constexpr LiveShape kShape{4, 2};
// Small enough that a step takes well under a second on a shared 2-core runner.
constexpr StepScales kScales{1e-3, 1e-3};

Schedule toy_schedule(const std::string& file, ScenarioOverrides overrides = {}) {
  const Scenario sc = load_scenario(test::data_path("scenarios/" + file), overrides);
  return scale_schedule(compile_schedule(live_cluster(sc.cluster.instance, kShape), sc.step, 0), kScales);
}

// Runs `iterations` iterations on every rank; returns [rank][iteration][op].
WorldTimings run_live(const Schedule& representative, const InstanceType& model, int iterations) {
  WorldTimings all(kShape.world_size);
  std::mutex mutex;
  testing::run_threads_as_ranks(kShape.world_size, kShape.ranks_per_node, [&](Communicator& world, const LaunchInfo& info) {
    const Schedule mine = rank_program(representative, info.rank);
    const auto compute = make_compute_emulation(ComputeMode::sleep, info.local_rank);
    StepExecutor executor(mine, world, info.node, model, *compute);
    RankTimings timings;
    for (int i = 0; i < iterations; ++i) timings.push_back(executor.run_once());
    std::lock_guard lock(mutex);
    all[info.rank] = std::move(timings);
  });
  return all;
}

void check_ordering(const Schedule& s, const InstanceType& model, const WorldTimings& all) {
  const auto& ops = s.program.ops;
  for (const RankTimings& rank : all)
    for (const IterationTimings& it : rank) {
      REQUIRE(it.size() == ops.size());
      std::map<Stream, double> stream_free;
      for (std::size_t i = 0; i < ops.size(); ++i) {
        REQUIRE(it[i].start_s >= 0);
        REQUIRE(it[i].end_s >= it[i].start_s);
        for (int d : ops[i].deps) REQUIRE(it[i].start_s >= it[d].end_s);
        REQUIRE(it[i].start_s >= stream_free[ops[i].stream]);  // a stream runs one op at a time, in order
        stream_free[ops[i].stream] = it[i].end_s;
        if (const auto* c = std::get_if<ComputeOp>(&ops[i].body))  // a sleep lasts at least its time
          REQUIRE(it[i].end_s - it[i].start_s >= compute_op_seconds(model.gpu, *c));
      }
      // One communicator runs one collective at a time, in program order, whatever the stream.
      std::map<int, double> communicator_free;
      for (std::size_t i = 0; i < ops.size(); ++i)
        if (const auto* c = std::get_if<CollectiveOp>(&ops[i].body)) {
          REQUIRE(it[i].start_s >= communicator_free[c->communicator]);
          communicator_free[c->communicator] = it[i].end_s;
        }
    }
}

int count_kind(const Schedule& s, CollectiveKind kind, Algorithm algorithm) {
  int n = 0;
  for (const Op& op : s.program.ops)
    if (const auto* c = std::get_if<CollectiveOp>(&op.body)) n += c->kind == kind && c->algorithm == algorithm;
  return n;
}

}  // namespace

TEST_CASE("collective sizes follow nccl-tests and pad up to whole elements per rank", "[step]") {
  CollectiveOp gather{CollectiveKind::all_gather, Algorithm::ring, 0, 10, "bf16"};
  CollectiveSize s = collective_size(gather, 4);  // 10 B over 4 ranks of 2-byte elements: 2 per rank
  CHECK(s.count == 2);
  CHECK(s.send_bytes == 4);
  CHECK(s.recv_bytes == 16);
  CHECK(s.padded_bytes == 16);
  CollectiveOp reduce{CollectiveKind::reduce_scatter, Algorithm::ring, 0, 64, "fp32"};
  s = collective_size(reduce, 4);
  CHECK(s.type == DataType::f32);
  CHECK(s.count == 4);
  CHECK(s.send_bytes == 64);
  CHECK(s.recv_bytes == 16);
  CollectiveOp all_reduce{CollectiveKind::all_reduce, Algorithm::hierarchical, 0, 6, "bf16"};
  CHECK(collective_size(all_reduce, 4).count == 4);  // 3 elements rounded up to a multiple of p
  all_reduce.algorithm = Algorithm::ring;
  CHECK(collective_size(all_reduce, 4).count == 3);
}

TEST_CASE("a step whose buffers exceed --max-buffer-bytes is refused before allocating", "[step]") {
  const Schedule s = toy_schedule("toy-zero3-2node.json");
  const std::size_t needed = step_buffer_bytes(s);
  REQUIRE(needed > 0);
  CHECK_NOTHROW(check_buffer_limit(s, needed, kScales.bytes));
  CHECK_THROWS_WITH(check_buffer_limit(s, needed - 1, kScales.bytes), Catch::Contains("--max-buffer-bytes") &&
                                                                          Catch::Contains("use --scale-bytes"));
  CHECK_THROWS_AS(scale_schedule(s, {0, 1}), InputError);
}

TEST_CASE("scaling compute (--scale-compute) scales every compute op's modelled time exactly, kernels and all", "[step]") {
  const Scenario sc = load_scenario(test::data_path("scenarios/toy-zero3-2node.json"));
  const Schedule unscaled = compile_schedule(live_cluster(sc.cluster.instance, kShape), sc.step, 0);
  const Schedule scaled = scale_schedule(unscaled, {1, 0.25});
  const GpuSpec& gpu = sc.cluster.instance.gpu;  // p4d: the kernel model applies
  REQUIRE(gpu.sm_count > 0);
  int with_kernels = 0;
  for (std::size_t i = 0; i < unscaled.program.ops.size(); ++i) {
    const auto* before = std::get_if<ComputeOp>(&unscaled.program.ops[i].body);
    if (!before) continue;
    const auto& after = std::get<ComputeOp>(scaled.program.ops[i].body);
    with_kernels += before->kernels.empty() ? 0 : 1;
    CHECK(compute_op_seconds(gpu, after) == Approx(0.25 * compute_op_seconds(gpu, *before)).epsilon(1e-12));
    CHECK(after.flops == 0.25 * before->flops);
  }
  CHECK(with_kernels > 0);
}

TEST_CASE("toy ZeRO-3 runs live on 2 nodes x 2 ranks with the simulator's ordering", "[step][live]") {
  const Scenario sc = load_scenario(test::data_path("scenarios/toy-zero3-2node.json"));
  const Schedule s = toy_schedule("toy-zero3-2node.json");
  REQUIRE(s.micro_steps == 2);  // accumulation > 1
  const WorldTimings all = run_live(s, sc.cluster.instance, 2);
  check_ordering(s, sc.cluster.instance, all);

  const StepStatistics stats = step_statistics(all);
  CHECK(stats.step_times_s.size() == 2);
  CHECK(stats.step_time_s > 0);
  const StepRunInfo info{sc.name, s.strategy, "gloo", "sleep", sc.cluster.instance.name, kScales.bytes, kScales.compute, 4, 2, 16, 0, 3};
  const auto summary = step_summary_json(info, s, stats, nullptr, "");
  for (const char* field : {"scenario", "strategy", "backend", "compute_emulation", "scale_bytes", "scale_compute", "ranks",
                            "ranks_per_node", "nodes", "iterations", "warmup", "step_time_s", "step_times_s", "spread_s", "ops"})
    CHECK(summary.contains(field));
  REQUIRE(summary["ops"].size() == s.program.ops.size());
  // The live step divided into passes as the simulator divides its prediction: one entry per
  // micro-step, and with the optimizer step they cover the median step (they can end past it: op
  // times are medians per op, the step's a median of its own).
  REQUIRE(summary["passes"]["micro_steps"].size() == 2);
  double passes_s = summary["passes"]["optimizer_s"].get<double>();
  for (const auto& m : summary["passes"]["micro_steps"]) {
    CHECK(m["forward_s"].get<double>() > 0);
    CHECK(m["backward_s"].get<double>() > 0);
    passes_s += m["forward_s"].get<double>() + m["backward_s"].get<double>();
  }
  CHECK(passes_s >= stats.step_time_s * (1 - 1e-12));
  CHECK(summary["passes"]["optimizer_s"].get<double>() >= 0);
  // The scenario runs on the DeepSpeed profile: host ops (hooks, launches) come first, then the
  // first gather over the world, which the first compute waits for.
  CHECK(summary["ops"][0]["kind"] == "host");
  std::size_t first_gather = 0, first_compute = 0;
  while (summary["ops"][first_gather]["kind"] != "all_gather") ++first_gather;
  while (summary["ops"][first_compute]["kind"] != "compute") ++first_compute;
  CHECK(first_gather < first_compute);
  CHECK(summary["ops"][first_gather]["group_size"] == 4);

  const auto trace = nlohmann::json::parse(step_trace_json(s, all, stats.median_iteration, sc.name));
  std::map<int, std::size_t> slices;  // pid -> op slices
  for (const auto& e : trace["traceEvents"])
    if (e["ph"] == "X") ++slices[e["pid"].get<int>()];
  REQUIRE(slices.size() == 4);
  for (const auto& [pid, n] : slices) CHECK(n == s.program.ops.size());
}

TEST_CASE("a schedule whose collectives of one communicator could overlap is refused", "[step][live]") {
  const Scenario sc = load_scenario(test::data_path("scenarios/toy-zero3-2node.json"));
  Schedule s = toy_schedule("toy-zero3-2node.json");
  // Drop the first reduce-scatter's wait for the gather launched before it on the communicator.
  for (Op& op : s.program.ops)
    if (op.label.rfind("rs-grad", 0) == 0) {
      // Its launch, the backward compute, and last the previous collective of its communicator.
      REQUIRE(op.deps.size() == 3);
      REQUIRE(s.program.ops[op.deps.back()].label.rfind("ag-bwd", 0) == 0);
      op.deps.pop_back();
      break;
    }
  CHECK_THROWS_WITH(run_live(s, sc.cluster.instance, 1), Catch::Contains("may overlap op 'ag-bwd") && Catch::Contains("must depend on it"));
}

TEST_CASE("toy MiCS runs live: hierarchical gathers over 2 nodes, replication all-reduce", "[step][live]") {
  const Scenario sc = load_scenario(test::data_path("scenarios/toy-mics-4node.json"));
  SECTION("p = 4 spans both nodes: hierarchical all-gathers") {
    ScenarioOverrides o;
    o.partition_size = 4;
    const Schedule s = toy_schedule("toy-mics-4node.json", o);
    REQUIRE(count_kind(s, CollectiveKind::all_gather, Algorithm::hierarchical) > 0);
    check_ordering(s, sc.cluster.instance, run_live(s, sc.cluster.instance, 1));
  }
  SECTION("p = 2 is one node: the boundary all-reduce runs over replication groups") {
    ScenarioOverrides o;
    o.partition_size = 2;
    const Schedule s = toy_schedule("toy-mics-4node.json", o);
    REQUIRE(count_kind(s, CollectiveKind::all_reduce, Algorithm::ring) == 1);
    check_ordering(s, sc.cluster.instance, run_live(s, sc.cluster.instance, 1));
  }
}
