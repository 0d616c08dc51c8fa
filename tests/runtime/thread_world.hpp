// Runs a function on n ranks as threads of this process, each with its own Gloo world
// communicator over loopback TCP and a shared in-memory store: real connections and real rings,
// without starting processes. k ranks per (emulated) node. Rethrows the first rank's exception.
#pragma once

#include "runtime/gloo/gloo_world.hpp"
#include "runtime/launch/memory_store.hpp"

#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace shardsim::runtime::testing {

inline void run_threads_as_ranks(int ranks, int ranks_per_node,
                                 const std::function<void(Communicator&, const LaunchInfo&)>& body,
                                 std::chrono::milliseconds timeout = std::chrono::milliseconds(20000)) {
  auto store = std::make_shared<MemoryStore>();
  std::mutex mutex;
  std::exception_ptr first_error;
  std::vector<std::thread> threads;
  for (int rank = 0; rank < ranks; ++rank) {
    threads.emplace_back([&, rank] {
      try {
        LaunchInfo info{rank, ranks, rank % ranks_per_node, ranks_per_node, rank / ranks_per_node};
        GlooSettings settings;
        settings.timeout = timeout;
        auto world = make_gloo_world(info, store, "127.0.0.1", settings);
        body(*world, info);
        world->barrier();  // nobody closes connections while another rank still uses them
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!first_error) first_error = std::current_exception();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace shardsim::runtime::testing
