// The schedule a live step executes: the scenario's strategy compiled for the live world's shape
// (its ranks and ranks per node, whatever the scenario's cluster says, so a 16-GPU scenario runs on
// 4 local ranks as 2 nodes x 2), then scaled so small machines can run big scenarios: every
// collective and copy size times `bytes`, every compute op's FLOPs and memory traffic times
// `compute` (so its modelled duration scales by the same factor). The same scaled schedule is
// executed live and, when asked, simulated, so measurement and prediction describe one workload.
// Sizes per op follow nccl-tests: a collective of B bytes in a group of p ranks moves
// ceil(B / (p * element)) elements per rank (all-gather, reduce-scatter) or ceil(B / element)
// (all-reduce; a hierarchical all-reduce rounds up to a multiple of p): sizes that do not divide
// the group are padded up to whole elements per rank, as DeepSpeed pads its partitions.
#pragma once

#include "runtime/comm/communicator.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/schedule/schedule.hpp"

#include <cstddef>
#include <string>

namespace shardsim::runtime {

struct LiveShape {
  int world_size = 1;
  int ranks_per_node = 1;
};

struct StepScales {
  double bytes = 1;    // multiplies every collective and copy size
  double compute = 1;  // multiplies every compute op's modelled duration
};

// The cluster the schedule is compiled on: `instance` with the live shape's ranks per node.
// When the instance has a different GPU count per node only its GPU spec stays meaningful (the
// schedule needs nothing else); simulate on it only when `instance.gpus_per_node` matches.
Cluster live_cluster(const InstanceType& instance, LiveShape shape);

// Every size and FLOP count of `schedule` scaled; throws InputError for a non-positive scale.
Schedule scale_schedule(Schedule schedule, StepScales scales);

// The element type of a schedule's dtype ("bf16", "fp16", "fp32", or a runtime name).
DataType step_data_type(const std::string& dtype);

// What one collective op moves, per the padding rule above.
struct CollectiveSize {
  DataType type = DataType::bf16;
  std::size_t count = 0;        // elements per call, in the Communicator's convention
  std::size_t send_bytes = 0;
  std::size_t recv_bytes = 0;
  std::size_t padded_bytes = 0; // the nccl-tests size actually moved (>= the op's bytes)
};
CollectiveSize collective_size(const CollectiveOp& op, int group_size);

// Host-side memory the executor allocates per rank for `schedule`: per stream, one send and one
// receive buffer as large as that stream's largest op (streams run their ops one at a time).
std::size_t step_buffer_bytes(const Schedule& schedule);

// Throws InputError naming the largest op and the largest --scale-bytes that would fit when the
// buffers of `schedule` exceed `max_bytes`, so nothing too large is ever allocated.
void check_buffer_limit(const Schedule& schedule, std::size_t max_bytes, double scale_bytes);

// A safe default for --max-buffer-bytes: a quarter of physical memory shared by the node's ranks.
std::size_t default_max_buffer_bytes(int ranks_per_node);

}  // namespace shardsim::runtime
