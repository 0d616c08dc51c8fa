// DeepSpeed configs as Hugging Face users write them (sim/scenario/deepspeed_config.cpp): "auto"
// filled as the HF Trainer fills it, DeepSpeed's batch arithmetic and wording, bfloat16, bucket
// sizes of 0, offload refused in one line, unmodelled keys named.
#include "sim/input/input_error.hpp"
#include "sim/scenario/scenario.hpp"
#include "tests/support/test_data.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>

using namespace shardsim;
using Catch::Contains;
using test::data_path;
using test::TempFile;

namespace {

const std::string kToy = "scenarios/toy-mics-4node.json";  // 32 GPUs, micro-batch 4, 2 micro-steps, bf16

Scenario with_ds(const std::string& ds_path, ScenarioOverrides o = {}) {
  o.deepspeed_config = ds_path;
  return load_scenario(data_path(kToy), o);
}

bool has_note(const Scenario& sc, const std::string& text) {
  return std::any_of(sc.notes.begin(), sc.notes.end(), [&](const std::string& n) { return n.find(text) != std::string::npos; });
}

}  // namespace

TEST_CASE("transformers' ds_config_zero3.json: offload refused in one line naming the key", "[scenarios][deepspeed]") {
  CHECK_THROWS_WITH(with_ds(data_path("scenarios/deepspeed/hf-ds-config-zero3.json")),
                    Contains("/zero_optimization/offload_optimizer/device") && Contains("offload to 'cpu' is not modelled"));
}

TEST_CASE("DeepSpeed auto values are filled as the HF Trainer fills them, and said", "[scenarios][deepspeed]") {
  ScenarioOverrides o;
  o.micro_batch = 2;  // the Trainer's --per_device_train_batch_size
  const Scenario sc = with_ds(data_path("scenarios/deepspeed/hf-ds-config-zero3-no-offload.json"), o);
  CHECK(sc.step.strategy.strategy == Strategy::zero3);
  CHECK(sc.step.micro_batch == 2);
  CHECK(sc.step.accumulation_steps == 2);
  CHECK(sc.step.model.precision == "bf16");  // bf16.enabled auto with a bf16 scenario; fp16.enabled auto -> false
  const std::uint64_t h = static_cast<std::uint64_t>(sc.step.model.hidden);
  CHECK(sc.step.strategy.reduce_bucket_bytes == h * h * 2);
  CHECK(has_note(sc, "train_micro_batch_size_per_gpu \"auto\" -> 2"));
  CHECK(has_note(sc, "gradient_accumulation_steps \"auto\" -> 2"));
  CHECK(has_note(sc, "train_batch_size \"auto\" -> 128"));
  CHECK(has_note(sc, "bf16.enabled \"auto\" -> true"));
  CHECK(has_note(sc, "fp16.enabled \"auto\" -> false"));
  CHECK(has_note(sc, fmt::format("reduce_bucket_size \"auto\" -> {} elements", h * h)));
  CHECK(has_note(sc, "stage3_prefetch_bucket_size \"auto\""));
  // Keys that change behaviour but are not simulated are named, in one note.
  CHECK(has_note(sc, "not modelled") );
  CHECK(has_note(sc, "zero_optimization.sub_group_size"));
  // Read by the framework profile (effective_framework), so not named.
  CHECK_FALSE(has_note(sc, "zero_optimization.stage3_max_live_parameters"));
  CHECK_FALSE(has_note(sc, "zero_optimization.stage3_max_reuse_distance"));
  CHECK(effective_framework(sc.step).max_live_elements == 1e9);
}

TEST_CASE("stage3_max_reuse_distance replaces the profile's default", "[scenarios][deepspeed]") {
  const TempFile ds("ds.json", R"({"train_micro_batch_size_per_gpu": 1, "zero_optimization": {"stage": 3, "stage3_max_reuse_distance": 3000000000}})");
  const Scenario sc = with_ds(ds.path());
  CHECK(sc.step.strategy.max_reuse_distance_elements == 3e9);
  CHECK(effective_framework(sc.step).max_reuse_distance_elements == 3e9);
  CHECK_FALSE(has_note(sc, "stage3_max_reuse_distance"));  // read, so not listed as unmodelled
}

TEST_CASE("DeepSpeed's batch arithmetic and its wording", "[scenarios][deepspeed]") {
  SECTION("train_batch_size and micro-batch give the accumulation") {
    const TempFile ds("ds.json", R"({"train_batch_size": 256, "train_micro_batch_size_per_gpu": 2})");
    CHECK(with_ds(ds.path()).step.accumulation_steps == 4);
  }
  SECTION("train_batch_size and accumulation give the micro-batch") {
    const TempFile ds("ds.json", R"({"train_batch_size": 256, "gradient_accumulation_steps": 2})");
    const Scenario sc = with_ds(ds.path());
    CHECK(sc.step.micro_batch == 4);
    CHECK(sc.step.accumulation_steps == 2);
  }
  SECTION("the identity, in DeepSpeed's words") {
    const TempFile ds("ds.json", R"({"train_batch_size": 100, "train_micro_batch_size_per_gpu": 2, "gradient_accumulation_steps": 2})");
    CHECK_THROWS_WITH(with_ds(ds.path()), Contains("/train_batch_size: Check batch related parameters. train_batch_size is not equal to "
                                                   "micro_batch_per_gpu * gradient_acc_step * world_size 100 != 2 * 2 * 32"));
  }
}

TEST_CASE("bfloat16, fp32, zero buckets and legacy offload", "[scenarios][deepspeed]") {
  SECTION("the older bfloat16 key") {
    const TempFile ds("ds.json", R"({"bfloat16": {"enabled": true}})");
    ScenarioOverrides o;
    o.deepspeed_config = ds.path();
    CHECK(load_scenario(data_path("scenarios/toy-zero3-2node.json"), o).step.model.precision == "bf16");
  }
  SECTION("both precisions enabled is DeepSpeed's error") {
    const TempFile ds("ds.json", R"({"bf16": {"enabled": true}, "fp16": {"enabled": true}})");
    CHECK_THROWS_WITH(with_ds(ds.path()), Contains("cannot be simultaneously enabled"));
  }
  SECTION("neither enabled is fp32, said") {
    const TempFile ds("ds.json", R"({"fp16": {"enabled": false}})");
    const Scenario sc = with_ds(ds.path());
    CHECK(sc.step.model.precision == "fp32");
    CHECK(has_note(sc, "fp32"));
  }
  SECTION("reduce_bucket_size 0 and stage3_prefetch_bucket_size 0 are accepted") {
    const TempFile ds("ds.json", R"({"zero_optimization": {"stage": 3, "reduce_bucket_size": 0, "stage3_prefetch_bucket_size": 0}})");
    const Scenario sc = with_ds(ds.path());
    CHECK(sc.step.strategy.reduce_bucket_bytes == 0);
    CHECK(sc.step.strategy.prefetch_layers == 0);
    CHECK(has_note(sc, "reduce_bucket_size 0"));
  }
  SECTION("legacy cpu_offload") {
    const TempFile ds("ds.json", R"({"zero_optimization": {"stage": 2, "cpu_offload": true}})");
    CHECK_THROWS_WITH(with_ds(ds.path()), Contains("/zero_optimization/cpu_offload") && Contains("not modelled"));
  }
  SECTION("an unknown top-level key is named, not dropped") {
    const TempFile ds("ds.json", R"({"zero_optimization": {"stage": 3}, "activation_checkpointing": {"partition_activations": true}})");
    CHECK(has_note(with_ds(ds.path()), "activation_checkpointing"));
  }
}
