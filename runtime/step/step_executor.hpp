// Executes one rank's program of a schedule live, with the simulator's rules: an op starts when
// every op it depends on has finished and its stream is free; each stream is one host thread
// running its ops in program order. Collectives run on communicators split once, at construction,
// from the world communicator: one per communicator the schedule names (one per process group, as
// DeepSpeed has), in an order taken from the program (the same on every rank), never from the
// rank. The schedule orders the collectives of one communicator by dependencies, so two stream
// threads never have it in flight together; a schedule that does not is refused. Hierarchical collectives go through MiCS's two-level implementation
// (runtime/comm/hierarchical.hpp). Compute ops are emulated for their modelled duration; copies
// are real memcpys of their size. Op times are steady-clock seconds from the exit of a barrier
// that starts each iteration on all ranks.
#pragma once

#include "runtime/comm/communicator.hpp"
#include "runtime/comm/hierarchical.hpp"
#include "runtime/step/compute_emulation.hpp"
#include "sim/schedule/schedule.hpp"
#include "sim/stepsim/step_simulation.hpp"
#include "sim/topology/topology.hpp"

#include <memory>
#include <vector>

namespace shardsim::runtime {

class StepExecutor {
 public:
  // `schedule` is this rank's program (rank_program), already scaled; `node` is this rank's node;
  // `model` is the instance whose compute_op_seconds the emulation reproduces. Collective over
  // `world`: every rank constructs its executor at the same point. Throws InputError when a
  // collective's group does not hold this rank, or when a collective does not wait for the
  // previous one of its communicator (same stream or a direct dependency).
  StepExecutor(const Schedule& schedule, Communicator& world, int node, const InstanceType& model, ComputeEmulation& compute);
  ~StepExecutor();
  StepExecutor(const StepExecutor&) = delete;
  StepExecutor& operator=(const StepExecutor&) = delete;

  // One iteration of the program. If an op fails (a peer died or stalled past the timeout), the
  // other streams stop, every step communicator is aborted and the first error is rethrown.
  std::vector<OpTiming> run_once();

  int communicator_count() const { return static_cast<int>(channels_.size()); }

 private:
  struct Channel {
    std::unique_ptr<Communicator> communicator;
    std::unique_ptr<HierarchicalCollectives> hierarchical;  // when an op on it is hierarchical
  };
  struct StreamBuffers {
    Buffer send;
    Buffer recv;
    std::vector<char> host_source, host_target;  // copy ops
  };
  struct Progress;

  void run_stream(Stream stream, Progress& progress);
  void execute(int op_index);
  void abort_all() noexcept;

  const Schedule& schedule_;
  Communicator& world_;
  const InstanceType& model_;
  ComputeEmulation& compute_;
  std::vector<Channel> channels_;
  std::vector<int> channel_of_op_;  // -1 for non-collectives
  std::vector<std::vector<int>> ops_of_stream_;
  std::vector<StreamBuffers> buffers_;  // per stream
};

}  // namespace shardsim::runtime
