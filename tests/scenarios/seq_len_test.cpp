// The training sequence length is a training choice (scenario seq_len, --seq-len), recorded with
// where it came from; and a scenario can be built from flags alone.
#include "sim/input/input_error.hpp"
#include "sim/model/model_loader.hpp"
#include "sim/scenario/scenario.hpp"
#include "tests/support/test_data.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace shardsim;
using Catch::Contains;
using test::data_path;
using test::TempFile;

TEST_CASE("seq_len in the scenario and --seq-len set the training length, and say so", "[scenarios][seq_len]") {
  nlohmann::json j = nlohmann::json::parse(R"({"model": "hf/mistral-7b", "cluster": {"instance": "p4d.24xlarge", "nodes": 4},
    "strategy": {"name": "zero3"}, "batch": {"micro_batch": 1}, "seq_len": 2048})");
  const TempFile file("run.json", j.dump());
  const Scenario sc = load_scenario(file.path());
  CHECK(sc.step.model.seq_len == 2048);
  CHECK_THAT(sc.step.model.seq_len_source, Contains("run.json: /seq_len"));
  ScenarioOverrides o;
  o.seq_len = 8192;
  const Scenario longer = load_scenario(file.path(), o);
  CHECK(longer.step.model.seq_len == 8192);
  CHECK(seq_len_description(longer.step.model) == "seq_len 8192 (--seq-len)");
}

TEST_CASE("a model's context length is never the training length silently", "[scenarios][seq_len]") {
  const auto m = load_model("hf/mistral-7b");  // max_position_embeddings 32768
  CHECK(m.seq_len == 4096);
  CHECK_THAT(seq_len_description(m), Contains("max_position_embeddings 32768") && Contains("--seq-len"));
}

TEST_CASE("a training length beyond a learned positional table is refused", "[scenarios][seq_len]") {
  auto m = load_model("gpt2-small");  // 1024 learned positions
  CHECK_THROWS_WITH(set_seq_len(m, 2048, "--seq-len"),
                    Contains("--seq-len: training sequence length 2048 is longer than the model's learned positional table (1024"));
  ScenarioOverrides o;
  o.seq_len = 0;
  CHECK_THROWS_WITH(check_overrides(o), Contains("--seq-len must be at least 1"));
}

TEST_CASE("simulate without a scenario file: the flags describe the run", "[scenarios][seq_len]") {
  ScenarioOverrides o;
  o.model = "hf/llama-3-8b";
  o.instance = "p4d.24xlarge";
  o.nodes = 2;
  o.strategy = "mics";
  o.partition_size = 8;
  o.seq_len = 2048;
  const Scenario sc = scenario_from_flags(o);
  CHECK(sc.cluster.gpus() == 16);
  CHECK(sc.step.strategy.strategy == Strategy::mics);
  CHECK(sc.step.model.seq_len == 2048);
  CHECK(sc.step.micro_batch == 1);
  o.model.reset();
  CHECK_THROWS_WITH(scenario_from_flags(o), Contains("--model is required without a scenario file"));
}
