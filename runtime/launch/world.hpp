// How a rank joins its job: who it is (rank, world size, local rank, ranks per node, node index),
// from torchrun-style variables (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR,
// MASTER_PORT), from mpirun/srun's variables, or from the local launcher (`--local-ranks N`);
// then the rendezvous store, and the world communicator of the chosen backend, which comes from
// the registry the program passes in (backend_registry.hpp), so this layer names no backend.
// Ranks started with different arguments are detected here (each publishes a digest of them).
#pragma once

#include "runtime/comm/communicator.hpp"
#include "runtime/launch/backend_registry.hpp"
#include "runtime/launch/launch_info.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace shardsim::runtime {

struct WorldOptions {
  std::string backend = "cpu";               // a name in the registry passed to join_world
  std::chrono::milliseconds timeout{60000};  // a peer silent this long is an error, never a hang
  std::string arguments_digest;              // compared across ranks at start
  int ranks_per_node = 0;  // overrides the launcher's LOCAL_WORLD_SIZE (emulated nodes); 0: keep it
};

struct World {
  LaunchInfo info;
  std::shared_ptr<Store> store;
  std::unique_ptr<Communicator> communicator;  // all ranks
};

// Reads the launch environment, rendezvous, and connects the world with `backends`' factory for
// options.backend (an unknown name fails before the rendezvous). Throws RuntimeError.
World join_world(const WorldOptions& options, const BackendRegistry& backends);

}  // namespace shardsim::runtime
