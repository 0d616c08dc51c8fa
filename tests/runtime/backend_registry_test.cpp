// The launch layer connects a world through whatever factory the program registered: a fake
// backend shows join_world needs no real one, unknown names are refused before any rendezvous,
// and shardsim-run's registry offers cpu and nccl (the latter refusing cleanly where not built).
#include "tests/runtime/inert_communicator.hpp"
#include "runtime/backends/builtin_backends.hpp"
#include "runtime/launch/world.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>

using namespace shardsim::runtime;

namespace {

// This process as a one-rank job, whatever launcher started the test runner.
void forget_launchers() {
  for (const char* name : {"RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT",
                           "SHARDSIM_STORE_DIR", "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "SLURM_PROCID",
                           "SLURM_NTASKS"})
    unsetenv(name);
}

}  // namespace

TEST_CASE("join_world connects through the registered factory", "[runtime][launch]") {
  forget_launchers();
  BackendRegistry backends;
  std::chrono::milliseconds seen_timeout{0};
  backends.add("fake", [&](const BackendContext& context) {
    seen_timeout = context.timeout;
    REQUIRE(context.store != nullptr);
    return std::make_unique<testing::InertCommunicator>("fake", context.info.world_size);
  });
  WorldOptions options;
  options.backend = "fake";
  options.timeout = std::chrono::milliseconds(1234);
  World world = join_world(options, backends);
  CHECK(world.communicator->backend() == "fake");
  CHECK(world.communicator->size() == 1);
  CHECK(seen_timeout == options.timeout);

  options.backend = "gloo";
  CHECK_THROWS_WITH(join_world(options, backends), "unknown backend 'gloo' (use fake)");
  CHECK_THROWS_WITH(backends.add("fake", {}), Catch::Contains("registered twice"));
  CHECK_THROWS_WITH(BackendRegistry{}.find("cpu"), "unknown backend 'cpu' (no backend is registered)");
}

TEST_CASE("shardsim-run's registry offers cpu and nccl", "[runtime][launch]") {
  const BackendRegistry backends = builtin_backends({});
  CHECK(backends.names() == std::vector<std::string>{"cpu", "nccl"});
  CHECK_THROWS_WITH(backends.find("tpu"), "unknown backend 'tpu' (use cpu or nccl)");
}
