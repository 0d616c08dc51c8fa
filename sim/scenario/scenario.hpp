// A scenario: the model (a preset name, a model file, a Hugging Face config.json, or inline), the
// cluster (instance + nodes, or a topology file), the strategy with its knobs, and the batch
// (micro-batch and accumulation steps, or a global batch to split). Loaded from JSON with every
// field validated; the strategy block may instead come from a DeepSpeed config
// (zero_optimization.stage, mics_shard_size, mics_hierarchical_params_gather,
// zero_hpz_partition_size, reduce_bucket_size, stage3_prefetch_bucket_size,
// train_micro_batch_size_per_gpu, gradient_accumulation_steps, train_batch_size, bf16/fp16).
#pragma once

#include "sim/strategies/step_config.hpp"
#include "sim/topology/topology.hpp"

#include <optional>
#include <string>

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
};

// Throws InputError naming the flag ("--partition-size must be positive, got 0") for a value no
// scenario could take; what depends on the scenario (p dividing the world) is validated after loading.
void check_overrides(const ScenarioOverrides& overrides);

Scenario load_scenario(const std::string& path, const ScenarioOverrides& overrides = {});

// Applies a DeepSpeed config's strategy and batch fields to `step`; `world` = data-parallel ranks.
void apply_deepspeed_config(const std::string& path, int world, StepConfig& step);

}  // namespace shardsim
