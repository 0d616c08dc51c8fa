// How a rank finds its job: who it is (rank, world size, local rank, ranks per node, node index),
// from torchrun-style variables (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR,
// MASTER_PORT), from mpirun/srun's variables, or from the local launcher (`--local-ranks N`);
// then the rendezvous store and the world communicator of the chosen backend. Ranks started with
// different arguments are detected here (each publishes a digest of its arguments).
#pragma once

#include "runtime/comm/communicator.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace shardsim::runtime {

struct LaunchInfo {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  int local_world_size = 1;  // ranks per node (k)
  int node = 0;              // rank / local_world_size
};

struct WorldOptions {
  std::string backend = "cpu";                  // "cpu" (Gloo) or "nccl"
  std::chrono::milliseconds timeout{60000};     // a peer silent this long is an error, never a hang
  std::string arguments_digest;                 // compared across ranks at start
  std::string hostname;        // address Gloo listens on; empty: SHARDSIM_GLOO_HOSTNAME, else a default
  int ranks_per_node = 0;      // overrides the launcher's LOCAL_WORLD_SIZE (emulated nodes); 0: keep it
  double inter_node_delay_s = 0;  // emulated cluster only: latency of each ring transfer between nodes
};

struct World {
  LaunchInfo info;
  std::shared_ptr<Store> store;
  std::unique_ptr<Communicator> communicator;  // all ranks
};

// Reads the launch environment, rendezvous, and connects the world. Throws RuntimeError.
World join_world(const WorldOptions& options);

}  // namespace shardsim::runtime
