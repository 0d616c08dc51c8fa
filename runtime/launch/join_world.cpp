#include "runtime/launch/argument_check.hpp"
#include "runtime/launch/file_store.hpp"
#include "runtime/launch/launch_environment.hpp"
#include "runtime/launch/memory_store.hpp"
#include "runtime/launch/tcp_store.hpp"
#include "runtime/launch/world.hpp"
#include "runtime/gloo/gloo_world.hpp"

#if defined(SHARDSIM_HAVE_NCCL)
#include "runtime/nccl/nccl_world.hpp"
#endif

#include <fmt/format.h>

namespace shardsim::runtime {
namespace {

std::shared_ptr<Store> make_store(const Rendezvous& rendezvous, const LaunchInfo& info, std::chrono::milliseconds timeout) {
  switch (rendezvous.kind) {
    case Rendezvous::Kind::file: return std::make_shared<FileStore>(rendezvous.directory);
    case Rendezvous::Kind::tcp: return std::make_shared<TcpStore>(rendezvous.host, rendezvous.port, info.rank == 0, timeout);
    case Rendezvous::Kind::memory: return std::make_shared<MemoryStore>();
  }
  throw RuntimeError("internal: unknown rendezvous kind");
}

}  // namespace

World join_world(const WorldOptions& options) {
  const Environment environment = process_environment();
  World world;
  world.info = read_launch_environment(environment, options.ranks_per_node).info;
  world.store = make_store(choose_rendezvous(environment, world.info), world.info, options.timeout);
  check_arguments(*world.store, world.info, options.arguments_digest, options.timeout);
  if (options.backend == "cpu") {
    const std::string hostname = options.hostname.empty() ? default_gloo_hostname(environment, world.info) : options.hostname;
    GlooSettings settings;
    settings.timeout = options.timeout;
    settings.inter_node_delay_s = options.inter_node_delay_s;
    world.communicator = make_gloo_world(world.info, world.store, hostname, settings);
  } else if (options.backend == "nccl") {
#if defined(SHARDSIM_HAVE_NCCL)
    world.communicator = make_nccl_world(world.info, *world.store, options);
#else
    throw RuntimeError("this shardsim-run was built without NCCL (CUDA/NCCL not found at configure time)");
#endif
  } else {
    throw RuntimeError(fmt::format("unknown backend '{}' (use cpu or nccl)", options.backend));
  }
  return world;
}

}  // namespace shardsim::runtime
