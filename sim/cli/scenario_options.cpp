#include "sim/cli/scenario_options.hpp"

#include "sim/input/input_error.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace shardsim::cli {

void ScenarioOptions::add_to(CLI::App* cmd) {
  cmd->add_option("scenario", file, "Scenario JSON (see scenarios/)")->required();
  cmd->add_option("--instance,--topology", instance, "Override the instance: a name (topologies/NAME.json) or a topology JSON file, e.g. a calibrated one");
  cmd->add_option("--nodes", nodes, "Override the node count");
  cmd->add_option("--strategy", strategy, "Override: ddp, zero1, zero2, zero3, mics, zeropp_hpz, hybrid_shard, hybrid_shard_deferred");
  cmd->add_option("--partition-size", partition_size, "Override the partition-group size p");
  cmd->add_option("--hierarchical", hierarchical, "Hierarchical parameter gather: on | off");
  cmd->add_option("--micro-batch", micro_batch, "Override sequences per GPU per micro-step");
  cmd->add_option("--accumulation", accumulation, "Override gradient-accumulation micro-steps");
  cmd->add_option("--deepspeed", deepspeed, "Take the strategy and batch from a DeepSpeed config JSON");
}

Scenario ScenarioOptions::load() const {
  ScenarioOverrides o;
  if (!instance.empty()) o.instance = instance;
  if (nodes) {
    if (*nodes < 1) throw InputError(fmt::format("--nodes must be at least 1, got {}", *nodes));
    o.nodes = nodes;
  }
  if (!strategy.empty()) o.strategy = strategy;
  if (partition_size) {
    if (*partition_size < 1) throw InputError(fmt::format("--partition-size must be positive, got {}", *partition_size));
    o.partition_size = partition_size;
  }
  if (!hierarchical.empty()) {
    if (hierarchical != "on" && hierarchical != "off") throw InputError("--hierarchical must be on or off");
    o.hierarchical_gather = hierarchical == "on";
  }
  if (micro_batch) {
    if (*micro_batch < 1) throw InputError(fmt::format("--micro-batch must be at least 1, got {}", *micro_batch));
    o.micro_batch = micro_batch;
  }
  if (accumulation) {
    if (*accumulation < 1) throw InputError(fmt::format("--accumulation must be at least 1, got {}", *accumulation));
    o.accumulation_steps = accumulation;
  }
  if (!deepspeed.empty()) o.deepspeed_config = deepspeed;
  return load_scenario(file, o);
}

}  // namespace shardsim::cli
