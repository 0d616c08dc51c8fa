// Collective operations as steps, never as time. A CollectivePlan says who sends how many bytes
// to whom, phase by phase: each RingPhase is a set of rings running at once, each ring doing
// `steps` steps in which every member sends `bytes_per_step` to its successor (a step ends when
// all of the ring's transfers have arrived: the ring proceeds at the pace of its slowest hop).
// Byte sizes follow nccl-tests: M is the all-gather output, the reduce-scatter input, the
// all-reduce vector. Time comes only from executing a plan on a network (collsim/) or from the
// closed forms (formulas/).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace shardsim {

enum class CollectiveKind { all_gather, reduce_scatter, all_reduce };
enum class Algorithm { ring, hierarchical };

const char* to_string(CollectiveKind kind);
const char* to_string(Algorithm algorithm);
CollectiveKind parse_collective_kind(const std::string& text);  // throws InputError
Algorithm parse_algorithm(const std::string& text);             // throws InputError

// nccl-tests' busbw = algbw * factor: (n-1)/n for all-gather and reduce-scatter, 2(n-1)/n for all-reduce.
double bus_bandwidth_factor(CollectiveKind kind, int group_size);

struct RingPhase {
  std::string label;                    // "inter-node all-gather", ...
  std::vector<std::vector<int>> rings;  // global ranks in ring order; each ring is cyclic
  double bytes_per_step = 0;            // what each member sends its successor per step
  int steps = 0;
  // The first `reducing_steps` steps end with each member folding the chunk it received into its
  // own (reduce-scatter: all of them; all-reduce: the first half); see GpuSpec::reduce_bandwidth_Bps.
  int reducing_steps = 0;
};

// The most rings any one member belongs to (one per channel it sends on): the chunks a member
// reduces in one step, since its rings' reductions all run on the same GPU.
int most_rings_per_member(const RingPhase& phase);

// A local copy every member makes between phases (the hierarchical gather's reorder).
struct CopyPhase {
  std::string label;
  double bytes = 0;  // bytes copied by each member
};

struct PlanPhase {
  RingPhase ring;  // used when !is_copy
  CopyPhase copy;  // used when is_copy
  bool is_copy = false;
};

struct CollectivePlan {
  CollectiveKind kind = CollectiveKind::all_gather;
  Algorithm algorithm = Algorithm::ring;
  std::vector<int> group;
  double bytes = 0;
  int channels = 1;
  std::vector<PlanPhase> phases;

  int sequential_steps() const;
};

}  // namespace shardsim
