#include "runtime/nccl/nccl_world.hpp"

#include "runtime/nccl/nccl_communicator.hpp"
#include "runtime/nccl/nccl_status.hpp"

#include <atomic>
#include <cstring>

namespace shardsim::runtime {

std::unique_ptr<Communicator> make_nccl_world(const LaunchInfo& info, Store& store, std::chrono::milliseconds timeout) {
  const int device = cuda_device_for(info);
  nccl_detail::check_cuda(cudaSetDevice(device), info.rank, "cudaSetDevice(" + std::to_string(device) + ")");

  // One key per world made in this process; every rank makes its worlds in the same order, so
  // the counters agree and a second world never reads the first one's id.
  static std::atomic<int> worlds_made{0};
  const std::string key = "shardsim/nccl/world/" + std::to_string(worlds_made++) + "/unique_id";
  ncclUniqueId id{};
  if (info.rank == 0) {
    ncclResult_t result = ncclGetUniqueId(&id);
    if (result != ncclSuccess) {
      nccl_detail::fail(info.rank, "ncclGetUniqueId", nccl_detail::describe(result) +
                                                          " (check NCCL_SOCKET_IFNAME names an interface the other "
                                                          "nodes can reach)");
    }
    store.set(key, std::vector<char>(id.internal, id.internal + sizeof(id.internal)));
  } else {
    std::vector<char> bytes = store.get(key, timeout);
    if (bytes.size() != sizeof(id.internal)) {
      nccl_detail::fail(info.rank, "reading the NCCL unique id from the store",
                        "got " + std::to_string(bytes.size()) + " bytes, expected " +
                            std::to_string(sizeof(id.internal)));
    }
    std::memcpy(id.internal, bytes.data(), sizeof(id.internal));
  }

  ncclConfig_t config = NCCL_CONFIG_INITIALIZER;
  config.blocking = 0;  // so this rank can give up on peers that never arrive
  ncclComm_t comm = nullptr;
  const std::string operation =
      "joining the NCCL world of " + std::to_string(info.world_size) + " ranks (ncclCommInitRankConfig)";
  ncclResult_t result = ncclCommInitRankConfig(&comm, info.world_size, id, info.rank, &config);
  if (result != ncclSuccess && result != ncclInProgress) {
    if (comm != nullptr) ncclCommAbort(comm);
    nccl_detail::fail(info.rank, operation, nccl_detail::describe(result));
  }
  auto world = std::make_unique<NcclCommunicator>(comm, device, info.rank, "world", timeout);
  world->await_ready(operation);
  return world;
}

WorldFactory nccl_backend() {
  return [](const BackendContext& context) { return make_nccl_world(context.info, *context.store, context.timeout); };
}

}  // namespace shardsim::runtime
