// The NCCL backend's world: one rank per GPU (device = local rank modulo the devices this process
// sees, so both "all GPUs visible" and srun's one-GPU-per-task layouts work), one non-blocking NCCL
// communicator over all ranks whose unique id travels through the job's rendezvous store, and one
// CUDA stream per communicator. Sub-groups come from Communicator::split (ncclCommSplit). Every
// wait polls NCCL's asynchronous error state against the job's timeout and aborts the
// communicator on error or timeout, so a dead or stalled peer ends this rank with a RuntimeError
// naming the rank and the operation instead of a hang. nccl_backend wraps this as the launch
// layer's WorldFactory, so launch never names NCCL. This header has no CUDA or NCCL types.
#pragma once

#include "runtime/comm/communicator.hpp"
#include "runtime/launch/backend_registry.hpp"
#include "runtime/launch/launch_info.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace shardsim::runtime {

// Throws RuntimeError "rank R: no CUDA device visible (cudaGetDeviceCount: ...); use --backend cpu"
// on a machine without a usable GPU, and RuntimeError naming the rank for any NCCL failure.
std::unique_ptr<Communicator> make_nccl_world(const LaunchInfo& info, Store& store, std::chrono::milliseconds timeout);

// The "nccl" backend: make_nccl_world with the context's store and timeout.
WorldFactory nccl_backend();

// What cudaGetDeviceCount says in this process: count 0 and the CUDA error text when there is none.
struct CudaDeviceQuery {
  int count = 0;
  std::string error;  // empty when the query succeeded
};
CudaDeviceQuery query_cuda_devices();

// The device the rank with this launch info uses (the same rule make_nccl_world applies), for the
// GPU compute emulator of the step executor. Throws the "no CUDA device visible" RuntimeError.
int cuda_device_for(const LaunchInfo& info);

}  // namespace shardsim::runtime
