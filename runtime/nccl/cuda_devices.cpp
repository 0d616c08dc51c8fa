#include "runtime/nccl/nccl_world.hpp"

#include <cuda_runtime_api.h>

namespace shardsim::runtime {

CudaDeviceQuery query_cuda_devices() {
  int count = 0;
  cudaError_t error = cudaGetDeviceCount(&count);
  if (error != cudaSuccess) {
    (void)cudaGetLastError();
    return {0, cudaGetErrorString(error)};
  }
  return {count, ""};
}

int cuda_device_for(const LaunchInfo& info) {
  CudaDeviceQuery devices = query_cuda_devices();
  if (devices.count <= 0) {
    throw RuntimeError("rank " + std::to_string(info.rank) + ": no CUDA device visible (cudaGetDeviceCount: " +
                       (devices.error.empty() ? std::string("0 devices") : devices.error) + "); use --backend cpu");
  }
  // Modulo, not the local rank itself: under srun --gpus-per-task=1 (or CUDA_VISIBLE_DEVICES set
  // per rank) each process sees one device, which is then device 0 for every local rank.
  return info.local_rank % devices.count;
}

}  // namespace shardsim::runtime
