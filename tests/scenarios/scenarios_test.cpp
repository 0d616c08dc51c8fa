// The shipped scenarios (scenarios/*.json) all load, fit in GPU memory, compile and simulate; the
// DeepSpeed config import (scenarios/deepspeed/) sets the strategy and batch, and bad DeepSpeed
// configs fail naming the file and the field.
#include "sim/input/input_error.hpp"
#include "sim/model/memory.hpp"
#include "sim/model/transformer.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/stepsim/step_metrics.hpp"
#include "sim/stepsim/step_simulation.hpp"
#include "sim/strategies/compile.hpp"
#include "sim/strategies/registry.hpp"

#include "tests/support/test_data.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

using namespace shardsim;
using shardsim::test::data_path;
using shardsim::test::TempFile;

namespace {

std::vector<std::string> shipped_scenarios() {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(data_path("scenarios")))
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

// Above this many GPUs a scenario is simulated on fewer nodes (memory is still checked at full
// size), to keep the test fast on a small machine; the shape of the schedule is the same.
constexpr int kMaxSimulatedGpus = 256;

const std::string kMicsDeepSpeed = "scenarios/deepspeed/mics-ds-config.json";

}  // namespace

TEST_CASE("every shipped scenario loads and fits in memory and compiles and simulates", "[scenarios]") {
  const auto files = shipped_scenarios();
  // The MiCS paper setups and the two toy scenarios, at least.
  REQUIRE(files.size() >= 9);
  for (const auto& file : files) {
    SECTION(std::filesystem::path(file).filename().string()) {
      const Scenario full = load_scenario(file);
      CHECK(!full.description.empty());
      const MemoryBreakdown mem = estimate_memory(memory_input(full));
      INFO(file << ": " << mem.total_bytes << " bytes per GPU needed, largest " << mem.largest_component);
      CHECK(fits(mem, full.cluster.instance.gpu.memory_bytes));

      Scenario sc = full;
      if (full.cluster.gpus() > kMaxSimulatedGpus) {
        const int k = full.cluster.instance.gpus_per_node;
        const int p = resolve_strategy(full.cluster, full.step.strategy).partition_size;
        ScenarioOverrides o;
        // World-wide strategies (p = N) shrink with the world; otherwise keep whole partition groups.
        o.nodes = p == full.cluster.gpus() ? kMaxSimulatedGpus / k : std::max(kMaxSimulatedGpus / k, p / k);
        sc = load_scenario(file, o);
      }
      const Schedule schedule = compile_schedule(sc.cluster, sc.step);
      const StepResult r = simulate_step(sc.cluster, schedule);
      CHECK(std::isfinite(r.step_time_s));
      CHECK(r.step_time_s > 0);
      const StepMetrics m = step_metrics(sc, r);
      CHECK(std::isfinite(m.tflops_per_gpu));
      CHECK(m.tflops_per_gpu > 0);
      CHECK(m.tflops_per_gpu * 1e12 < sc.cluster.instance.gpu.peak_flops);
    }
  }
}

TEST_CASE("the MiCS paper setups use the published instances and models", "[scenarios]") {
  for (const char* size : {"10b", "15b", "20b", "50b"}) {
    const Scenario sc = load_scenario(data_path(std::string("scenarios/mics-bert-") + size + "-p3dn.json"));
    INFO(sc.file);
    CHECK(sc.cluster.instance.name == "p3dn.24xlarge");
    CHECK(sc.step.model.name == std::string("bert-") + size);
    CHECK(sc.step.strategy.strategy == Strategy::mics);
    CHECK(sc.cluster.gpus() == 128);
    // The comparison the description promises: the same file with ZeRO-3 at the top of the range.
    ScenarioOverrides zero3;
    zero3.strategy = "zero3";
    const Scenario z = load_scenario(sc.file, zero3);
    CHECK(fits(estimate_memory(memory_input(z)), z.cluster.instance.gpu.memory_bytes));
  }
  const Scenario gpt3 = load_scenario(data_path("scenarios/mics-gpt3-175b-p4de.json"));
  CHECK(gpt3.cluster.instance.name == "p4de.24xlarge");
  CHECK(gpt3.cluster.nodes == 16);
  CHECK(gpt3.step.model.seq_len == 2048);
  CHECK(gpt3.step.strategy.strategy == Strategy::mics);
}

TEST_CASE("the DeepSpeed config import sets MiCS with p = 16 and hierarchical gather and the batch", "[scenarios]") {
  const std::string toy = data_path("scenarios/toy-mics-4node.json");
  const Scenario plain = load_scenario(toy);
  REQUIRE(plain.step.strategy.partition_size == 8);
  REQUIRE(plain.step.micro_batch == 4);
  REQUIRE(plain.step.accumulation_steps == 2);

  ScenarioOverrides o;
  o.deepspeed_config = data_path(kMicsDeepSpeed);
  const Scenario sc = load_scenario(toy, o);
  CHECK(sc.step.strategy.strategy == Strategy::mics);
  CHECK(sc.step.strategy.partition_size == 16);
  CHECK(resolve_strategy(sc.cluster, sc.step.strategy).partition_size == 16);
  CHECK(sc.step.strategy.hierarchical_gather);
  CHECK(sc.step.micro_batch == 2);
  CHECK(sc.step.accumulation_steps == 8);
  CHECK(sc.step.model.precision == "bf16");
  // reduce_bucket_size counts elements: 2e8 bf16 elements.
  CHECK(sc.step.strategy.reduce_bucket_bytes == 400000000ull);
  // stage3_prefetch_bucket_size 1e8 parameters holds one whole 50M-parameter toy layer.
  CHECK(sc.step.strategy.prefetch_layers == static_cast<int>(100000000 / parameters_per_layer(sc.step.model)));
  // train_batch_size 512 = 32 GPUs x 2 x 8: consistent, and the result simulates.
  CHECK(sc.cluster.gpus() * sc.step.micro_batch * sc.step.accumulation_steps == 512);
  CHECK(simulate_step(sc.cluster, compile_schedule(sc.cluster, sc.step)).step_time_s > 0);
}

TEST_CASE("the DeepSpeed import turns a ZeRO-3 scenario into MiCS or back", "[scenarios]") {
  const std::string zero3 = data_path("scenarios/toy-zero3-2node.json");
  REQUIRE(load_scenario(zero3).step.strategy.strategy == Strategy::zero3);
  {
    const TempFile ds("ds.json", R"({"train_micro_batch_size_per_gpu": 1, "gradient_accumulation_steps": 4,
      "zero_optimization": {"stage": 3, "mics_shard_size": 16, "mics_hierarchical_params_gather": false}})");
    ScenarioOverrides o;
    o.deepspeed_config = ds.path();
    const Scenario sc = load_scenario(zero3, o);
    CHECK(sc.step.strategy.strategy == Strategy::mics);
    CHECK(sc.step.strategy.partition_size == 16);
    CHECK_FALSE(sc.step.strategy.hierarchical_gather);
    CHECK(sc.step.micro_batch == 1);
    CHECK(sc.step.accumulation_steps == 4);
  }
  {
    // mics_shard_size -1 is plain ZeRO-3; train_batch_size alone sets the accumulation (64 = 16 x 2 x 2).
    const TempFile ds("ds.json", R"({"train_batch_size": 64, "train_micro_batch_size_per_gpu": 2,
      "zero_optimization": {"stage": 3, "mics_shard_size": -1}})");
    ScenarioOverrides o;
    o.deepspeed_config = ds.path();
    const Scenario sc = load_scenario(data_path("scenarios/toy-mics-4node.json"), o);
    CHECK(sc.step.strategy.strategy == Strategy::zero3);
    CHECK(sc.step.accumulation_steps == 1);  // 64 / (32 GPUs x 2)
  }
}

TEST_CASE("bad DeepSpeed configs name the file and the field", "[scenarios]") {
  const std::string toy = data_path("scenarios/toy-mics-4node.json");
  auto load_with = [&](const std::string& ds) {
    ScenarioOverrides o;
    o.deepspeed_config = ds;
    return load_scenario(toy, o);
  };
  using Catch::Matchers::Contains;

  const std::string stage7 = data_path("tests/data/bad-ds-stage7.json");
  CHECK_THROWS_AS(load_with(stage7), InputError);
  CHECK_THROWS_WITH(load_with(stage7), Contains(stage7) && Contains("/zero_optimization/stage") && Contains("7"));

  // 1000 != 32 GPUs x 2 x 8.
  const std::string batch = data_path("tests/data/bad-ds-batch.json");
  CHECK_THROWS_AS(load_with(batch), InputError);
  CHECK_THROWS_WITH(load_with(batch), Contains(batch) && Contains("train_batch_size") && Contains("1000"));

  // train_batch_size without the accumulation: not a multiple of world x micro-batch.
  const TempFile uneven("ds.json", R"({"train_batch_size": 100, "train_micro_batch_size_per_gpu": 2})");
  CHECK_THROWS_WITH(load_with(uneven.path()), Contains(uneven.path()) && Contains("train_batch_size"));

  const TempFile hier("ds.json", R"({"zero_optimization": {"stage": 3, "mics_shard_size": 16, "mics_hierarchical_params_gather": "yes"}})");
  CHECK_THROWS_WITH(load_with(hier.path()), Contains(hier.path()) && Contains("mics_hierarchical_params_gather"));

  const TempFile micro("ds.json", R"({"train_micro_batch_size_per_gpu": 0})");
  CHECK_THROWS_WITH(load_with(micro.path()), Contains(micro.path()) && Contains("train_micro_batch_size_per_gpu"));

  // The shipped config is for 32 GPUs: on the 16-GPU toy its train_batch_size is inconsistent.
  CHECK_THROWS_WITH(
      [&] {
        ScenarioOverrides o;
        o.deepspeed_config = data_path(kMicsDeepSpeed);
        return load_scenario(data_path("scenarios/toy-zero3-2node.json"), o);
      }(),
      Contains("mics-ds-config.json") && Contains("/train_batch_size: Check batch related parameters. train_batch_size is not equal to "
                                                 "micro_batch_per_gpu * gradient_acc_step * world_size 512 != 2 * 8 * 16"));
}
