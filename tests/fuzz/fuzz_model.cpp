// Fuzzes load_model_file: our model format and Hugging Face config.json (the format is detected
// from the keys, as for files named on the command line). A model that loads has been validated,
// and validate_model promises that no later count on it can wrap, so the counts the simulator
// forms next (parameters, FLOPs, activations, memory per strategy) are computed too: an overflow
// there is a signed-overflow report under UBSan or an InputError, never a silent wrap into a
// wrong answer.
#include "tests/fuzz/fuzz_support.hpp"

#include "sim/model/activations.hpp"
#include "sim/model/flops.hpp"
#include "sim/model/memory.hpp"
#include "sim/model/model_loader.hpp"
#include "sim/strategies/registry.hpp"

SHARDSIM_FUZZ_TARGET(model) {
  using namespace shardsim;
  if (size > fuzz::kMaxInput) return 0;
  const std::string path = fuzz::write_temp(data, size, "model");
  fuzz::expect_only_input_errors("fuzz_model", [&] {
    const TransformerModel m = load_model_file(path);
    parameter_count(m);
    element_bytes(m);
    model_flops(m, 1, true);
    activation_bytes(m, 1, true);
    activation_bytes(m, 1, false);
    Cluster node;  // one node of 8 GPUs: MiCS's partition group is the node
    node.instance.gpus_per_node = 8;
    for (const Strategy s : {Strategy::ddp, Strategy::zero3, Strategy::mics}) {
      MemoryInput in;
      in.strategy = to_string(s);
      in.sharding = resolve_strategy(node, {.strategy = s}).memory;
      in.model = m;
      in.world_size = 8;
      estimate_memory(in);
    }
  });
  return 0;
}
