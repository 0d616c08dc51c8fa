// Where a rank learns who it is: the variables its launcher set. torchrun (and our local launcher)
// set RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT; mpirun sets
// OMPI_COMM_WORLD_RANK/SIZE/LOCAL_RANK/LOCAL_SIZE; srun sets SLURM_PROCID, SLURM_NTASKS,
// SLURM_LOCALID, SLURM_NTASKS_PER_NODE / SLURM_NNODES. Nothing set means a world of one rank.
// The rendezvous follows from SHARDSIM_STORE_DIR (a file store on a filesystem every rank sees)
// or MASTER_ADDR/MASTER_PORT (a TCP store served by rank 0).
#pragma once

#include "runtime/comm/communicator.hpp"
#include "runtime/launch/launch_info.hpp"

#include <functional>
#include <optional>
#include <string>

namespace shardsim::runtime {

using Environment = std::function<std::optional<std::string>(const std::string& name)>;
Environment process_environment();

struct LaunchEnvironment {
  LaunchInfo info;
  std::string launcher;  // "torchrun", "openmpi", "slurm" or "none"
};

// ranks_per_node > 0 overrides the launcher's local size (nodes emulated on one machine); then
// local_rank = rank % ranks_per_node. Throws RuntimeError for malformed or inconsistent values.
LaunchEnvironment read_launch_environment(const Environment& environment, int ranks_per_node);

struct Rendezvous {
  enum class Kind { memory, file, tcp } kind = Kind::memory;
  std::string directory;  // file
  std::string host;       // tcp
  int port = 0;           // tcp
};

// SHARDSIM_STORE_DIR wins, then MASTER_ADDR + MASTER_PORT; a one-rank world needs neither.
Rendezvous choose_rendezvous(const Environment& environment, const LaunchInfo& info);

}  // namespace shardsim::runtime
