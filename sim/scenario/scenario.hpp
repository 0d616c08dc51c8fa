// A scenario: the model (a preset name, a model file, a Hugging Face config.json, or inline), the
// cluster (instance + nodes, or a topology file), the strategy with its knobs, and the batch
// (micro-batch and accumulation steps, or a global batch to split). Loaded from JSON with every
// field validated; the strategy block may instead come from a DeepSpeed config
// (zero_optimization.stage, mics_shard_size, mics_hierarchical_params_gather,
// zero_hpz_partition_size, reduce_bucket_size, stage3_prefetch_bucket_size,
// train_micro_batch_size_per_gpu, gradient_accumulation_steps, train_batch_size, bf16/bfloat16/fp16,
// with "auto" filled as the Hugging Face Trainer fills it; deepspeed_config.cpp). The training
// sequence length is the scenario's "seq_len" (or --seq-len) when given, else the model's default,
// and the model records which (TransformerModel::seq_len_source). The JSON Schema of the format is
// schemas/scenario.schema.json; docs/scenarios.md describes it.
#pragma once

#include "sim/strategies/step_config.hpp"
#include "sim/topology/topology.hpp"

#include <optional>
#include <string>
#include <vector>

namespace shardsim {

struct Scenario {
  std::string name;
  std::string file;
  std::string description;
  Cluster cluster;
  StepConfig step;
  // The library that runs the collectives: "gloo", an NCCL version ("2.28", topologies/nccl/), or
  // "" for the instance's default (collsim/library_plan.hpp). Key "nccl" in scenario files.
  std::string collective_library;
  // The framework profile's name (key "framework", flag --framework); when neither gives one, a
  // DeepSpeed config means "deepspeed", else the strategy's default (strategy.hpp). The profile
  // itself is in step.framework.
  std::string framework;
  // What the loader filled in or could not model (DeepSpeed "auto" values, unmodelled keys), one
  // line each, for every output to print.
  std::vector<std::string> notes;
};

// Command-line overrides applied after loading (each optional). Every program that takes them
// declares the flags through sim/scenario_cli/scenario_flags.hpp; their values are checked here
// (check_overrides, called by load_scenario), so no entry point can skip the checks.
struct ScenarioOverrides {
  std::optional<std::string> instance;
  std::optional<int> nodes;
  std::optional<std::string> strategy;
  std::optional<int> partition_size;
  std::optional<bool> hierarchical_gather;
  std::optional<int> micro_batch;
  std::optional<int> accumulation_steps;
  std::optional<std::string> deepspeed_config;
  std::optional<std::string> collective_library;  // --nccl
  std::optional<std::string> framework;           // --framework
  std::optional<std::string> model;               // --model: a preset, model file or HF config.json
  std::optional<int> seq_len;                     // --seq-len: training sequence length in tokens
  std::optional<std::string> attention;           // --attention: fused | unfused
  std::optional<std::string> elementwise;         // --elementwise: fused | unfused
};

// Throws InputError naming the flag ("--partition-size must be positive, got 0") for a value no
// scenario could take; what depends on the scenario (p dividing the world) is validated after loading.
void check_overrides(const ScenarioOverrides& overrides);

Scenario load_scenario(const std::string& path, const ScenarioOverrides& overrides = {});

// A --attention or --elementwise value, or `fallback` where the flag was not given (""); throws
// InputError naming the flag for anything but fused or unfused.
AttentionKernel attention_from_flag(const std::string& value, AttentionKernel fallback);
ElementwiseKernels elementwise_from_flag(const std::string& value, ElementwiseKernels fallback);

// Applies the overrides to a loaded (or flag-built) scenario, in the one order every entry point
// uses: batch flags, the DeepSpeed config, strategy flags, batch flags again, the collective
// library, then the framework profile (loaded; an error names --framework, or `framework_origin`
// where the scenario named it).
void apply_overrides(const ScenarioOverrides& overrides, Scenario& scenario, const std::string& framework_origin);

// A scenario from the flags alone (`shardsim simulate --model M --instance I --nodes N --strategy S`):
// --model, --instance and --nodes are required, and --strategy unless --deepspeed gives it; the
// batch defaults to micro-batch 1 and one micro-step. Throws InputError naming a missing flag.
Scenario scenario_from_flags(const ScenarioOverrides& overrides);

// Applies a DeepSpeed config's strategy, precision and batch fields to `step`; `world` =
// data-parallel ranks. Returns the notes to print: each "auto" filled and the keys not modelled.
std::vector<std::string> apply_deepspeed_config(const std::string& path, int world, StepConfig& step);

}  // namespace shardsim
