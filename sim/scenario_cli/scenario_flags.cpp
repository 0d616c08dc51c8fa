#include "sim/scenario_cli/scenario_flags.hpp"

#include "sim/input/input_error.hpp"

#include <CLI/CLI.hpp>

namespace shardsim {

void ScenarioFlags::add_instance(CLI::App* cmd, const std::string& names) {
  cmd->add_option(names, instance, "Override the instance: a name (topologies/NAME.json) or a topology JSON file, e.g. a calibrated one");
}

void ScenarioFlags::add_nodes(CLI::App* cmd) { cmd->add_option("--nodes", nodes, "Override the node count"); }

void ScenarioFlags::add_strategy_and_batch(CLI::App* cmd) {
  cmd->add_option("--strategy", strategy, "Override: ddp, zero1, zero2, zero3, mics, zeropp_hpz, hybrid_shard, hybrid_shard_deferred");
  cmd->add_option("--partition-size", partition_size, "Override the partition-group size p");
  cmd->add_option("--hierarchical", hierarchical, "Hierarchical parameter gather: on | off");
  cmd->add_option("--micro-batch", micro_batch, "Override sequences per GPU per micro-step");
  cmd->add_option("--accumulation", accumulation, "Override gradient-accumulation micro-steps");
  cmd->add_option("--deepspeed", deepspeed, "Take the strategy and batch from a DeepSpeed config JSON");
  cmd->add_option("--framework", framework,
                  "How the framework runs the step: deepspeed, deepspeed-0.5.6, fsdp, fsdp2, smp, ideal (topologies/frameworks/), or a "
                  "profile file; default: deepspeed for ZeRO and MiCS, fsdp for hybrid_shard, ideal for ddp");
  cmd->add_option("--seq-len", seq_len, "Training sequence length in tokens (default: the scenario's seq_len, else the model's)");
  add_kernel_flags(cmd, attention, elementwise);
}

void add_kernel_flags(CLI::App* cmd, std::string& attention, std::string& elementwise) {
  cmd->add_option("--attention", attention,
                  "Attention kernel: unfused (scores through HBM, the 2021-22 stacks) or fused (FlashAttention, SDPA); default: a "
                  "scenario's \"attention\", else unfused");
  cmd->add_option("--elementwise", elementwise,
                  "Element-wise kernels: fused (Megatron-LM's) or unfused (eager PyTorch: a Hugging Face model); default: a "
                  "scenario's \"elementwise\", else fused");
}

void ScenarioFlags::add_model(CLI::App* cmd) {
  cmd->add_option("--model", model, "Model: a preset (gpt3-175b, hf/llama-2-70b), a model JSON or a Hugging Face config.json");
}

void ScenarioFlags::add_collective_library(CLI::App* cmd) {
  cmd->add_option("--nccl", nccl,
                  "Collective library: an NCCL version (2.8, 2.12, 2.18, 2.28; topologies/nccl/) or gloo (plain rings, as "
                  "the emulated cluster runs them); default: the newest NCCL where the instance describes what NCCL sees");
}

ScenarioOverrides ScenarioFlags::overrides() const {
  ScenarioOverrides o;
  if (!instance.empty()) o.instance = instance;
  o.nodes = nodes;
  if (!strategy.empty()) o.strategy = strategy;
  o.partition_size = partition_size;
  if (!hierarchical.empty()) {
    if (hierarchical != "on" && hierarchical != "off") throw InputError("--hierarchical must be on or off");
    o.hierarchical_gather = hierarchical == "on";
  }
  o.micro_batch = micro_batch;
  o.accumulation_steps = accumulation;
  if (!deepspeed.empty()) o.deepspeed_config = deepspeed;
  if (!nccl.empty()) o.collective_library = nccl;
  if (!framework.empty()) o.framework = framework;
  if (!model.empty()) o.model = model;
  o.seq_len = seq_len;
  if (!attention.empty()) o.attention = attention;
  if (!elementwise.empty()) o.elementwise = elementwise;
  check_overrides(o);
  return o;
}

}  // namespace shardsim
