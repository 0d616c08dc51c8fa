#include "runtime/gloo/gloo_world.hpp"
#include "runtime/launch/argument_check.hpp"
#include "runtime/launch/file_store.hpp"
#include "runtime/launch/launch_environment.hpp"
#include "runtime/launch/local_launcher.hpp"
#include "runtime/launch/memory_store.hpp"
#include "runtime/launch/tcp_store.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <thread>

using namespace shardsim::runtime;

namespace {

Environment environment_of(std::map<std::string, std::string> variables) {
  return [variables](const std::string& name) -> std::optional<std::string> {
    const auto found = variables.find(name);
    if (found == variables.end()) return std::nullopt;
    return found->second;
  };
}

std::vector<char> bytes(const std::string& text) { return {text.begin(), text.end()}; }

}  // namespace

TEST_CASE("launch info from torchrun, OpenMPI and Slurm variables", "[runtime][launch]") {
  const auto torchrun = read_launch_environment(
      environment_of({{"RANK", "5"}, {"WORLD_SIZE", "8"}, {"LOCAL_RANK", "1"}, {"LOCAL_WORLD_SIZE", "4"}}), 0);
  CHECK(torchrun.launcher == "torchrun");
  CHECK(torchrun.info.rank == 5);
  CHECK(torchrun.info.node == 1);
  CHECK(torchrun.info.local_world_size == 4);

  const auto mpi = read_launch_environment(environment_of({{"OMPI_COMM_WORLD_RANK", "3"}, {"OMPI_COMM_WORLD_SIZE", "4"},
                                                           {"OMPI_COMM_WORLD_LOCAL_RANK", "1"},
                                                           {"OMPI_COMM_WORLD_LOCAL_SIZE", "2"}}),
                                           0);
  CHECK(mpi.launcher == "openmpi");
  CHECK(mpi.info.node == 1);

  const auto slurm = read_launch_environment(environment_of({{"SLURM_PROCID", "6"}, {"SLURM_NTASKS", "8"},
                                                             {"SLURM_LOCALID", "2"}, {"SLURM_NTASKS_PER_NODE", "4(x2)"}}),
                                             0);
  CHECK(slurm.launcher == "slurm");
  CHECK(slurm.info.local_world_size == 4);
  CHECK(slurm.info.node == 1);

  const auto none = read_launch_environment(environment_of({}), 0);
  CHECK(none.launcher == "none");
  CHECK(none.info.world_size == 1);
}

TEST_CASE("ranks per node emulate nodes and bad variables are named", "[runtime][launch]") {
  const auto emulated = read_launch_environment(environment_of({{"RANK", "3"}, {"WORLD_SIZE", "4"}}), 2);
  CHECK(emulated.info.local_rank == 1);
  CHECK(emulated.info.node == 1);
  CHECK_THROWS_WITH(read_launch_environment(environment_of({{"RANK", "x"}}), 0), Catch::Contains("RANK='x'"));
  CHECK_THROWS_WITH(read_launch_environment(environment_of({{"RANK", "4"}, {"WORLD_SIZE", "4"}}), 0),
                    Catch::Contains("outside the world"));
  CHECK_THROWS_WITH(read_launch_environment(environment_of({{"RANK", "0"}, {"WORLD_SIZE", "4"}}), 3),
                    Catch::Contains("does not divide"));
  CHECK_THROWS_WITH(read_launch_environment(environment_of({{"RANK", "1"}, {"WORLD_SIZE", "4"}, {"LOCAL_RANK", "0"},
                                                            {"LOCAL_WORLD_SIZE", "2"}}),
                                            0),
                    Catch::Contains("block-wise"));
}

TEST_CASE("emulated nodes get one NCCL host identity each, and a real node or the user's keeps its own", "[runtime][launch]") {
  const char* saved = std::getenv("NCCL_HOSTID");
  const std::string saved_value = saved != nullptr ? saved : "";
  ::unsetenv("NCCL_HOSTID");
  LocalLaunchOptions options;
  options.ranks = 4;
  options.ranks_per_node = 2;
  CHECK(emulated_node_host_id(options, 0) == "shardsim-emulated-node-0");
  CHECK(emulated_node_host_id(options, 1) == "shardsim-emulated-node-0");
  CHECK(emulated_node_host_id(options, 2) == "shardsim-emulated-node-1");
  CHECK(emulated_node_host_id(options, 3) == "shardsim-emulated-node-1");
  options.ranks_per_node = 0;  // all ranks on one node: NCCL's own identity
  CHECK(emulated_node_host_id(options, 3).empty());
  options.ranks_per_node = 4;
  CHECK(emulated_node_host_id(options, 3).empty());
  options.ranks_per_node = 1;
  ::setenv("NCCL_HOSTID", "users-choice", 1);
  CHECK(emulated_node_host_id(options, 3).empty());
  if (saved != nullptr) ::setenv("NCCL_HOSTID", saved_value.c_str(), 1);
  else ::unsetenv("NCCL_HOSTID");
}

TEST_CASE("the rendezvous follows SHARDSIM_STORE_DIR, then MASTER_ADDR/MASTER_PORT", "[runtime][launch]") {
  LaunchInfo two{0, 2, 0, 2, 0};
  CHECK(choose_rendezvous(environment_of({{"SHARDSIM_STORE_DIR", "/tmp/x"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "1"}}), two).kind ==
        Rendezvous::Kind::file);
  const auto tcp = choose_rendezvous(environment_of({{"MASTER_ADDR", "h"}, {"MASTER_PORT", "29500"}}), two);
  CHECK(tcp.kind == Rendezvous::Kind::tcp);
  CHECK(tcp.port == 29500);
  CHECK(choose_rendezvous(environment_of({}), LaunchInfo{}).kind == Rendezvous::Kind::memory);
  CHECK_THROWS_WITH(choose_rendezvous(environment_of({}), two), Catch::Contains("no rendezvous for 2 ranks"));
  CHECK(default_gloo_hostname(environment_of({{"SHARDSIM_GLOO_HOSTNAME", "198.18.0.2"}}), two) == "198.18.0.2");
  CHECK(default_gloo_hostname(environment_of({}), two) == "127.0.0.1");
}

TEST_CASE("argument digests are stable and mismatches name the rank", "[runtime][launch]") {
  CHECK(arguments_digest({"bench", "-n", "5"}) == arguments_digest({"bench", "-n", "5"}));
  CHECK(arguments_digest({"ab", "c"}) != arguments_digest({"a", "bc"}));
  CHECK(arguments_digest({}) == "cbf29ce484222325");  // FNV-1a's offset basis: nothing hashed
  MemoryStore store;
  const auto timeout = std::chrono::milliseconds(2000);
  store.set("arguments.0", bytes("aaaa"));
  CHECK_THROWS_WITH(check_arguments(store, LaunchInfo{1, 2, 1, 2, 0}, "bbbb", timeout),
                    Catch::StartsWith("rank 1 was started with different arguments than rank 0"));
  MemoryStore lonely;
  CHECK_THROWS_WITH(check_arguments(lonely, LaunchInfo{0, 2, 0, 2, 0}, "aaaa", std::chrono::milliseconds(50)),
                    Catch::StartsWith("rank 1 did not reach the rendezvous within 0.05 s"));
}

TEST_CASE("file and TCP stores hand values between ranks and time out naming the key", "[runtime][launch]") {
  const auto directory = std::filesystem::temp_directory_path() / ("shardsim-launch-test-store-" + std::to_string(::getpid()));
  std::filesystem::remove_all(directory);
  FileStore file(directory.string());
  file.set("a", bytes("one"));
  CHECK(file.get("a", std::chrono::milliseconds(1000)) == bytes("one"));
  CHECK_THROWS_WITH(file.get("missing", std::chrono::milliseconds(50)), Catch::Contains("key 'missing'"));
  std::filesystem::remove_all(directory);

  // Port 0 is refused by clients; a fixed high port would be racy, so the server picks one by trial.
  int port = 29400 + static_cast<int>(::getpid() % 500);
  TcpStore server("127.0.0.1", port, true, std::chrono::milliseconds(2000));
  std::thread writer([&] {
    TcpStore client("127.0.0.1", port, false, std::chrono::milliseconds(2000));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    client.set("late", bytes("value"));
  });
  CHECK(server.get("late", std::chrono::milliseconds(2000)) == bytes("value"));
  writer.join();
  CHECK_THROWS_WITH(server.get("never", std::chrono::milliseconds(30)), Catch::Contains("key 'never'"));
}

TEST_CASE("an unreachable TCP rendezvous is one clear error", "[runtime][launch]") {
  CHECK_THROWS_WITH(TcpStore("127.0.0.1", 9, false, std::chrono::milliseconds(200)),
                    Catch::StartsWith("cannot reach rendezvous at 127.0.0.1:9 within 0.2 s"));
}
