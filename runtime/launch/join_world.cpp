#include "runtime/launch/argument_check.hpp"
#include "runtime/launch/file_store.hpp"
#include "runtime/launch/launch_environment.hpp"
#include "runtime/launch/memory_store.hpp"
#include "runtime/launch/tcp_store.hpp"
#include "runtime/launch/world.hpp"

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

World join_world(const WorldOptions& options, const BackendRegistry& backends) {
  const WorldFactory& connect = backends.find(options.backend);
  const Environment environment = process_environment();
  World world;
  world.info = read_launch_environment(environment, options.ranks_per_node).info;
  world.store = make_store(choose_rendezvous(environment, world.info), world.info, options.timeout);
  check_arguments(*world.store, world.info, options.arguments_digest, options.timeout);
  world.communicator = connect(BackendContext{world.info, world.store, options.timeout, environment});
  return world;
}

}  // namespace shardsim::runtime
