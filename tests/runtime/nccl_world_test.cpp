// The NCCL backend's world and GPU compute. Without a GPU (CI, every machine here) the tests
// assert the one-line "no CUDA device visible" error; with one (CUDA_VISIBLE_DEVICES not
// emptied) a one-rank world runs every collective, splits, and NCCL's own prediction, and the
// GEMM emulator issues the FLOPs asked for. Compiled only where the NCCL backend is built.
#ifdef SHARDSIM_HAVE_NCCL

#include "tests/runtime/inert_communicator.hpp"
#include "runtime/nccl/gpu_compute.hpp"
#include "runtime/nccl/nccl_prediction.hpp"
#include "runtime/nccl/nccl_world.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>
#include <vector>

using namespace shardsim::runtime;

namespace {

class InProcessStore : public Store {
 public:
  void set(const std::string& key, const std::vector<char>& value) override { values_[key] = value; }
  std::vector<char> get(const std::string& key, std::chrono::milliseconds) override {
    auto found = values_.find(key);
    if (found == values_.end()) throw RuntimeError("no key " + key);
    return found->second;
  }

 private:
  std::map<std::string, std::vector<char>> values_;
};

LaunchInfo rank_of(int rank, int world_size) {
  LaunchInfo info;
  info.rank = rank;
  info.world_size = world_size;
  info.local_rank = rank;
  info.local_world_size = world_size;
  return info;
}

}  // namespace

// First in this file: CUDA reads CUDA_VISIBLE_DEVICES once, when the runtime starts in this
// process, and ctest runs every test case in a process of its own.
TEST_CASE("without a visible CUDA device the NCCL world says so in one line naming the rank", "[runtime][nccl]") {
  setenv("CUDA_VISIBLE_DEVICES", "", 1);
  CudaDeviceQuery devices = query_cuda_devices();
  REQUIRE(devices.count == 0);
  CHECK_FALSE(devices.error.empty());

  InProcessStore store;
  const std::chrono::milliseconds timeout(60000);
  const std::string expected =
      "rank 3: no CUDA device visible (cudaGetDeviceCount: " + devices.error + "); use --backend cpu";
  CHECK_THROWS_WITH(make_nccl_world(rank_of(3, 4), store, timeout), expected);
  CHECK_THROWS_WITH(cuda_device_for(rank_of(3, 4)), expected);
  CHECK_THROWS_WITH(GpuComputeEmulator(5),
                    Catch::Contains("no CUDA device visible (cudaGetDeviceCount: " + devices.error));
  CHECK(expected.find('\n') == std::string::npos);
}

TEST_CASE("cuBLAS loads on demand from the toolkit the backend was built with", "[runtime][nccl]") {
  // Loading needs no device; a wrong soname or path recorded at configure time fails here.
  CHECK_NOTHROW(GpuComputeEmulator::load_cublas());
}

TEST_CASE("NCCL predictions are only for NCCL communicators", "[runtime][nccl]") {
  testing::InertCommunicator other("other");  // another backend: predictions are NCCL's only
  CHECK_FALSE(nccl_predicted_time_us(other, shardsim::CollectiveKind::all_gather, 1024, DataType::bf16).has_value());
}

TEST_CASE("a one-rank NCCL world runs every collective, splits and predicts (needs a GPU)", "[runtime][nccl][gpu]") {
  if (query_cuda_devices().count == 0) {
    WARN("no CUDA device visible: the one-rank NCCL world was not exercised");
    return;
  }
  InProcessStore store;
  std::unique_ptr<Communicator> world = make_nccl_world(rank_of(0, 1), store, std::chrono::milliseconds(60000));
  REQUIRE(world->size() == 1);
  REQUIRE(world->rank() == 0);
  CHECK(world->backend() == "nccl");

  const std::vector<float> values = {1.5F, -2.0F, 3.25F, 0.0F};
  const std::size_t bytes = values.size() * sizeof(float);
  Buffer send = world->allocate(bytes);
  Buffer recv = world->allocate(bytes);
  world->copy_from_host(send, values.data(), bytes);
  for (auto op : {&Communicator::all_gather, &Communicator::reduce_scatter, &Communicator::all_reduce}) {
    std::vector<float> back(values.size(), -1.0F);
    ((*world).*op)(send.data(), recv.data(), values.size(), DataType::f32);
    world->synchronize();
    world->copy_to_host(back.data(), recv, bytes);
    CHECK(back == values);  // one rank: gathering, scattering and summing leave the values alone
  }
  world->barrier();

  std::unique_ptr<Communicator> group = world->split(0, 0, "partition");
  REQUIRE(group != nullptr);
  CHECK(group->size() == 1);
  CHECK_THROWS_WITH(world->split(-1, 0, "none"), Catch::Contains("colour must be non-negative"));

  std::optional<double> predicted = nccl_predicted_time_us(*world, shardsim::CollectiveKind::all_reduce, 1 << 20, DataType::bf16);
  if (predicted) CHECK(*predicted >= 0);

  // A local rank beyond the device count wraps around as in make_nccl_world.
  GpuComputeEmulator compute(query_cuda_devices().count, 256);
  const double requested = 1e9;
  compute.run_flops(requested);
  compute.synchronize();
  CHECK(std::abs(compute.issued_flops() - requested) <= 2.0 * 256 * 256);
}

#endif
