// `shardsim-run step` end to end on 4 ranks as threads (2 emulated nodes x 2): command-line
// parsing, the live run, the JSON summary with the prediction, and the per-rank trace files.
#include "runtime/step/step_command.hpp"
#include "sim/input/input_error.hpp"

#include "tests/runtime/thread_world.hpp"
#include "tests/support/test_data.hpp"

#include <CLI/CLI.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

using namespace shardsim;
using namespace shardsim::runtime;

namespace {

// Parses `arguments` as every rank would and runs the step command on 4 thread ranks.
void run_step_on_threads(const std::vector<std::string>& arguments) {
  testing::run_threads_as_ranks(4, 2, [&](Communicator& communicator, const LaunchInfo& info) {
    CLI::App app;
    StepCommandOptions options;
    add_step_command(app, options);
    std::vector<std::string> args{"step"};
    args.insert(args.end(), arguments.begin(), arguments.end());
    std::reverse(args.begin(), args.end());  // CLI11 takes a vector of arguments last-first
    app.parse(args);
    // World owns its communicator: give it one of its own, split from the thread's world.
    World world;
    world.info = info;
    world.communicator = communicator.split(0, info.rank, "step-test-world");
    run_step_command(options, world);
  });
}

nlohmann::json read_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

}  // namespace

TEST_CASE("step command: emulated ZeRO-3 with --predict writes the summary and a trace of every rank", "[step][live]") {
  const auto dir = std::filesystem::temp_directory_path() / ("shardsim-step-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto summary_path = dir / "step.json", trace_path = dir / "trace.json";
  run_step_on_threads({test::data_path("scenarios/emulated-zero3.json"), "--accumulation", "2", "-n", "3", "-w", "1",
                       "--scale-bytes", "0.01", "--scale-compute", "0.01", "--predict", "--topology",
                       test::data_path("topologies/emulated-k2.json"), "--json", summary_path.string(), "--trace",
                       trace_path.string()});
  const auto summary = read_json(summary_path);
  CHECK(summary["backend"] == "gloo");
  CHECK(summary["compute_emulation"] == "sleep");
  CHECK(summary["ranks"] == 4);
  CHECK(summary["ranks_per_node"] == 2);
  CHECK(summary["nodes"] == 2);
  CHECK(summary["iterations"] == 3);
  CHECK(summary["step_times_s"].size() == 3);
  CHECK(summary["scale_bytes"] == 0.01);
  CHECK(summary["step_time_s"].get<double>() > 0);
  REQUIRE(summary.contains("prediction"));
  CHECK(summary["prediction"]["step_time_s"].get<double>() > 0);
  const std::size_t ops = summary["ops"].size();
  REQUIRE(ops > 0);
  CHECK(summary["prediction"]["ops"].size() == ops);
  int micro_steps = 0;
  for (const auto& op : summary["ops"]) micro_steps = std::max(micro_steps, op["micro_step"].get<int>() + 1);
  CHECK(micro_steps == 2);

  const auto trace = read_json(trace_path);
  std::map<int, std::size_t> slices;
  for (const auto& e : trace["traceEvents"])
    if (e["ph"] == "X") ++slices[e["pid"].get<int>()];
  REQUIRE(slices.size() == 4);
  for (const auto& [pid, n] : slices) CHECK(n == ops);
  std::filesystem::remove_all(dir);
}

TEST_CASE("step command: one-line errors for a wrong shape and an oversized buffer", "[step][live]") {
  CHECK_THROWS_WITH(run_step_on_threads({test::data_path("scenarios/toy-zero3-2node.json"), "--predict"}),
                    Catch::Contains("8 GPUs per node but this job runs 2 ranks per node"));
  CHECK_THROWS_WITH(run_step_on_threads({test::data_path("scenarios/toy-zero3-2node.json"), "--nodes", "3"}),
                    Catch::Contains("--nodes 3: this job has 4 ranks, 2 per node, so 2 nodes"));
  CHECK_THROWS_WITH(run_step_on_threads({test::data_path("scenarios/toy-zero3-2node.json"), "--max-buffer-bytes", "1M"}),
                    Catch::Contains("but --max-buffer-bytes is"));
}

TEST_CASE("step command: every rank refuses a bad override value as shardsim simulate does", "[step][live]") {
  // The launcher checks these before starting ranks; ranks started by torchrun or srun check them here.
  CHECK_THROWS_WITH(run_step_on_threads({test::data_path("scenarios/emulated-mics.json"), "--partition-size", "0"}),
                    "--partition-size must be positive, got 0");
  CHECK_THROWS_WITH(run_step_on_threads({test::data_path("scenarios/emulated-mics.json"), "--hierarchical", "maybe"}),
                    "--hierarchical must be on or off");
}
