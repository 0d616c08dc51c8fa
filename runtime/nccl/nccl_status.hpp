// Internal to the NCCL backend: CUDA and NCCL status codes as text, and waiting on a non-blocking
// communicator. With blocking = 0 any NCCL call may return ncclInProgress and finish in the
// background; nothing else may be issued on that communicator until ncclCommGetAsyncError reports
// ncclSuccess. The wait is bounded by a deadline; the caller aborts the communicator when it
// ends in an error or a timeout (ncclCommAbort is the only way out of a collective whose peers
// are gone), and says which rank and operation failed.
#pragma once

#include "runtime/comm/communicator.hpp"

#include <cuda_runtime_api.h>
#include <nccl.h>

#include <chrono>
#include <string>

namespace shardsim::runtime::nccl_detail {

using Clock = std::chrono::steady_clock;

// "unhandled system error (last NCCL error: ...)": ncclGetErrorString plus ncclGetLastError.
std::string describe(ncclResult_t result);
// "cudaErrorNoDevice: no CUDA-capable device is detected".
std::string describe(cudaError_t error);

[[noreturn]] void fail(int rank, const std::string& operation, const std::string& reason);
// Throws "rank R: operation: <CUDA error>" unless `error` is cudaSuccess.
void check_cuda(cudaError_t error, int rank, const std::string& operation);

enum class Settled { ready, failed, timed_out };
struct WaitResult {
  Settled outcome = Settled::ready;
  ncclResult_t error = ncclSuccess;  // the asynchronous error when outcome is failed
};

// Polls ncclCommGetAsyncError(comm) until it leaves ncclInProgress or `deadline` passes.
WaitResult wait_until_settled(ncclComm_t comm, Clock::time_point deadline);

std::string timeout_reason(std::chrono::milliseconds timeout);

}  // namespace shardsim::runtime::nccl_detail
