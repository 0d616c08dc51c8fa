// The one description of a training step: a per-rank program of compute, collective and copy ops
// with dependencies, on streams. The simulator executes it on modelled hardware (stepsim/); the
// live runtime executes the same program on real hardware. An op starts when every op it depends
// on has finished and its stream is free (a stream runs its ops in program order, like a CUDA
// stream). Prefetch depth, bucket sizes and live-parameter limits are expressed as dependencies,
// never as special cases in an executor. Groups are ordered lists of global ranks with a role;
// a collective op names the group its rank belongs to. Strategies are SPMD: every rank's program
// has the same ops, over the groups that contain that rank, so the program of rank 0 stands for
// the class and the schedule stores each role's whole family of groups once. Each collective also
// names its communicator (the framework's process group, one NCCL communicator per group): NCCL
// runs the operations of one communicator one after another whatever stream issued them, so the
// compiler makes every collective depend on the previous one of its communicator, in the order the
// framework launches them, and executors need no rule of their own for it.
#pragma once

#include "sim/collectives/collective.hpp"

#include <string>
#include <variant>
#include <vector>

namespace shardsim {

// `host` is the framework's Python thread: its ops take host time (hooks, launches) or wait for
// device work (torch.cuda.synchronize() is a host op depending on the last op of every device
// stream); a device op launched by the host depends on its launch op.
enum class Stream { compute, gather, reduce, host };
const char* to_string(Stream stream);

enum class GroupRole { world, partition, replication, intra_node, inter_node };
const char* to_string(GroupRole role);

struct Group {
  int id = 0;
  GroupRole role = GroupRole::world;
  std::vector<int> ranks;
};

// A family of communicators, one per group of one role and size (the same family as the groups'),
// as the framework creates one process group per data-parallel group. Ids are the same on every
// rank: rank r's member is the communicator of the family's group holding r.
struct CommunicatorInfo {
  int id = 0;
  GroupRole role = GroupRole::world;
  int group_size = 0;
  std::string label;  // "world", "partition", "replication", "intra_node"
};

// One GPU kernel of a compute op (sim/compute/ builds them and times them). A GEMM (or a batch of
// `batch` independent GEMMs of one shape, as attention's per-head products) computes an m x n
// output over an inner dimension k; a fused attention kernel (flash-style) runs `batch` heads of
// an s x s attention (m = k = s queries and keys, n = head dimension) without writing the s x s
// scores to HBM; a memory-bound kernel (layernorm, GeLU, dropout, residual add, softmax) is only
// its HBM traffic. `flops` is what the kernel is charged in FLOP accounting (for a GEMM
// 2*m*n*k*batch plus its bias epilogue), `hbm_bytes` the bytes it reads and writes at least.
// `count` repeats the kernel (the runtime's --scale-compute stretches an op by it).
enum class KernelKind { gemm, fused_attention, memory };
const char* to_string(KernelKind kind);

struct Kernel {
  KernelKind kind = KernelKind::memory;
  std::string name;  // "qkv.fwd", "attn.scores.dgrad", "ln1.bwd", ...
  double m = 0, n = 0, k = 0;
  double batch = 1;
  double flops = 0;
  double hbm_bytes = 0;
  double count = 1;
};

// A compute op: its kernels when the compiler knows them (a transformer block, the head), or
// only FLOPs and HBM bytes (the optimizer: HBM bytes only; ops of synthetic schedules).
// `flops` and `hbm_bytes` are the op's totals: with kernels, the sums of count x the kernels'.
struct ComputeOp {
  double flops = 0;
  double hbm_bytes = 0;  // memory traffic, for ops bound by HBM rather than FLOPs (optimizer)
  std::vector<Kernel> kernels{};
};

// A compute op of these kernels, its totals summed from them.
ComputeOp compute_op_of(std::vector<Kernel> kernels);

struct CollectiveOp {
  CollectiveKind kind = CollectiveKind::all_gather;
  Algorithm algorithm = Algorithm::ring;
  int group = 0;         // id of the group holding this rank
  double bytes = 0;      // nccl-tests convention
  std::string dtype;     // "bf16", "fp32", ...
  int communicator = 0;  // id in Schedule::communicators; its ops run in program order
};

struct CopyOp {
  double bytes = 0;
};

// Host time of the framework (a hook, a collective's pre-launch and launch): the host stream is
// busy for `seconds`. Zero-second host ops are waits (synchronizations) and launch points.
struct HostOp {
  double seconds = 0;
};

struct Op {
  std::variant<ComputeOp, CollectiveOp, CopyOp, HostOp> body;
  Stream stream = Stream::compute;
  std::vector<int> deps;  // indices of earlier ops in the same program
  std::string label;      // "fwd L3", "ag-fwd L4", "rs L3", "ar-replication"
  int micro_step = 0;
  int layer = -1;
};

struct Program {
  int rank = 0;
  std::vector<Op> ops;

  int add(Op op);
};

struct Schedule {
  std::string strategy;
  int world_size = 0;
  int micro_steps = 1;
  std::vector<Group> groups;  // every group of every role used
  std::vector<CommunicatorInfo> communicators;  // indexed by id, in order of first use
  Program program;            // rank `program.rank`'s program (the SPMD class representative)

  // Ids of the groups with the same role and size as `group_id`, in schedule order (a family: the
  // groups partition the world and the same collective runs on all of them at once).
  std::vector<int> family_of(int group_id) const;
};

}  // namespace shardsim
