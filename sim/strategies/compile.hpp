// Strategies compile a step into the schedule IR (schedule.hpp). Per micro-step, with units =
// the transformer layers plus the embedding/output head:
//   DDP:     forward, backward; at the boundary an all-reduce of each unit's gradients over the
//            world on the reduce stream as backward produces them, then the optimizer on all of Psi.
//   ZeRO-1:  like DDP, but at the boundary a reduce-scatter per unit, the optimizer on Psi/N, and
//            an all-gather of the updated parameters.
//   ZeRO-2:  a reduce-scatter per unit every micro-step; boundary as ZeRO-1.
//   ZeRO-3:  an all-gather per unit before its forward and again before its backward (gather
//            stream, at most `prefetch_layers` ahead of the unit computing), a reduce-scatter per
//            unit (or per reduce bucket) after its backward (reduce stream); optimizer on Psi/N.
//   MiCS:    ZeRO-3 over a partition group of p (gathers hierarchical when p spans nodes and the
//            knob is on); at the boundary one all-reduce of the accumulated fp32 shard (4*Psi/p
//            bytes) over the replication group, then the optimizer on Psi/p.
//   hpZ:     ZeRO-3 whose backward gathers run over the intra-node secondary partition.
//   HYBRID_SHARD: MiCS-like groups, with the replication all-reduce of each unit's gradient shard
//            after its reduce-scatter on every micro-step; `_deferred` does it once at the boundary.
// Every collective is issued on the communicator of its group family (one per role, as DeepSpeed
// and FSDP issue all of a process group's collectives on its one NCCL communicator) and depends on
// the previous collective of that communicator, in the framework's launch order: NCCL runs them
// one at a time. In ZeRO-3's backward that order is ..., RS(u+1), AG(u-d), RS(u), AG(u-d-1), ...
// for prefetch depth d (compile.cpp says where in DeepSpeed each is launched).
// Each strategy states its collectives in its own unit (ddp.cpp, mics.cpp, ...; registry.hpp) as
// a StrategySchedule; compile_schedule lays them around the compute without knowing which
// strategy it is compiling.
#pragma once

#include "sim/schedule/schedule.hpp"
#include "sim/strategies/step_config.hpp"

namespace shardsim {

// A unit's compute as kernels (sim/compute/block_kernels.hpp); the FLOPs are their sums.
struct Unit {
  std::string name;
  double parameters = 0;
  double forward_flops = 0;
  double backward_flops = 0;  // including recomputation when checkpointing
  std::vector<Kernel> forward_kernels;
  std::vector<Kernel> backward_kernels;   // recompute_kernels first, then the backward's own
  std::vector<Kernel> recompute_kernels;  // empty without activation checkpointing
};

std::vector<Unit> model_units(const StepConfig& config);

Schedule compile_schedule(const Cluster& cluster, const StepConfig& config, int rank = 0);

}  // namespace shardsim
