// Peak memory of one GPU training a TransformerModel under a sharding strategy, given as the
// ranks each model state is sharded over (ModelStateSharding: the strategy's memory terms, which
// the strategy units in sim/strategies resolve; this layer knows no strategy by name). Model states are
// mixed-precision Adam, 16 bytes per parameter: K_p = 2 (bf16/fp16 parameters), K_g = 2
// (gradients), K_o = 12 (fp32 master parameters, Adam momentum and variance); for fp32 models
// K_p = K_g = 4 and K_o = 8 (no master copy), still 16. With Psi = parameter_count, N = world
// size, p = partition-group size, k = GPUs per node (capped at N), a shard of Psi over d ranks
// holds ceil(Psi/d) parameters (frameworks pad the flat buffer to equal shards):
//   ddp                              16*Psi
//   zero1                            (K_p + K_g)*Psi + K_o*Psi/N      (4*Psi + 12*Psi/N)
//   zero2                            K_p*Psi + (K_g + K_o)*Psi/N      (2*Psi + 14*Psi/N)
//   zero3                            16*Psi/N
//   mics, hybrid_shard(_deferred)    16*Psi/p
//   zeropp_hpz                       16*Psi/N + K_p*Psi/k             (the secondary copy)
// On top of model states:
//   gathered parameters  strategies that gather (zero3, mics, hpZ, hybrid): live_gathered_layers
//                        x K_p x the largest gathered unit (a transformer block, or the embedding
//                        or untied output head when larger), i.e. the prefetch window at its worst;
//   gradient buckets     reduce_bucket_bytes for every strategy except ddp, whose buckets are
//                        assumed to be views of the gradients (gradient_as_bucket_view);
//   activations          as in activations.hpp.
//   framework runtime    the CUDA context and NCCL's buffers (per communicator), from the framework
//                        profile (0 for the ideal profile);
//   allocator reserve    the caching allocator's reserved-but-unusable share, a fraction of the
//                        rest (framework profile);
// total = model states + gathered + buckets + activations + runtime + reserve. Not modelled: logits;
// compare against usable memory, not the HBM size.
#pragma once

#include "sim/model/transformer.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace shardsim {

// Over how many ranks a strategy shards each model state; each count must divide N.
struct ModelStateSharding {
  int parameters = 1;
  int gradients = 1;
  int optimizer_states = 1;
  int secondary_parameters = 0;    // ranks a secondary parameter copy is sharded over (hpZ); 0 = none
  bool gathers_parameters = false;  // whole units gathered for compute: the gathered-parameters term
  bool gradient_buckets = false;    // reduce buckets outside the gradients: the gradient-buckets term
};

struct MemoryInput {
  std::string strategy;       // its name, for messages
  ModelStateSharding sharding;
  TransformerModel model;
  int world_size = 1;         // N, data-parallel ranks
  int micro_batch = 1;        // sequences per GPU per micro-step
  bool activation_checkpointing = true;
  int live_gathered_layers = 2;  // gathered units resident at once: the one computing + prefetched
  // Where the framework gathers finer than whole units (framework profiles): the elements resident
  // at worst, replacing live_gathered_layers x the largest unit.
  std::optional<double> gathered_elements;
  std::uint64_t reduce_bucket_bytes = 0;
  double runtime_bytes = 0;               // CUDA context and NCCL buffers
  double allocator_reserve_fraction = 0;  // of everything else
};

struct MemoryBreakdown {
  std::uint64_t model_states_bytes = 0;
  std::uint64_t gathered_params_bytes = 0;
  std::uint64_t gradient_buckets_bytes = 0;
  std::uint64_t activations_bytes = 0;
  std::uint64_t runtime_bytes = 0;
  std::uint64_t allocator_reserve_bytes = 0;
  std::uint64_t total_bytes = 0;
  // Finer parts, in bytes, summing to total_bytes: parameters, gradients, optimizer states,
  // hpZ secondary parameters, gathered parameters, gradient buckets, activations.
  std::vector<std::pair<std::string, double>> components;
  std::string largest_component;
};

// Throws InputError for an unusable input (N < 1, a sharding degree not dividing N, ...).
MemoryBreakdown estimate_memory(const MemoryInput& input);
bool fits(const MemoryBreakdown& breakdown, std::uint64_t gpu_memory_bytes);

}  // namespace shardsim
