// The backends a program can connect its world with, by name ("cpu", "nccl", ...). The launch
// layer owns this interface but knows no backend: each backend folder offers a WorldFactory, and
// the program that links the backends (runtime/backends/) adds them to a registry it passes to
// join_world. So launch depends on no backend, a backend depends on launch, and a program that
// wants fewer backends (or a test's fake one) builds a smaller registry. A plain value: no globals.
#pragma once

#include "runtime/comm/communicator.hpp"
#include "runtime/launch/launch_environment.hpp"
#include "runtime/launch/launch_info.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace shardsim::runtime {

// What a backend gets to connect the world communicator once the rendezvous is done.
struct BackendContext {
  LaunchInfo info;
  std::shared_ptr<Store> store;           // the job's rendezvous store, shared by every rank
  std::chrono::milliseconds timeout{60000};  // a peer silent this long is an error, never a hang
  Environment environment;                // the launch variables (a backend may have its own)
};

// Connects this rank's world communicator. Collective over the job's ranks; throws RuntimeError.
using WorldFactory = std::function<std::unique_ptr<Communicator>(const BackendContext& context)>;

class BackendRegistry {
 public:
  // Throws RuntimeError if `name` is already registered (two backends under one name is a bug).
  void add(std::string name, WorldFactory factory);

  // Throws RuntimeError "unknown backend 'x' (use cpu or nccl)" naming the registered backends.
  const WorldFactory& find(const std::string& name) const;

  std::vector<std::string> names() const;  // in registration order

 private:
  std::vector<std::pair<std::string, WorldFactory>> backends_;  // few entries: a vector keeps the order
};

}  // namespace shardsim::runtime
