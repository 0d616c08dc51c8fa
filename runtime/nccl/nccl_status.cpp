#include "runtime/nccl/nccl_status.hpp"

#include <thread>

namespace shardsim::runtime::nccl_detail {

std::string describe(ncclResult_t result) {
  std::string text = ncclGetErrorString(result);
  // ncclGetLastError holds NCCL's detailed message (which peer, which transport); it is never
  // cleared and may belong to an earlier call, so it is quoted beside the code, not instead of it.
  const char* last = ncclGetLastError(nullptr);
  if (last != nullptr && last[0] != '\0') text += std::string(" (last NCCL error: ") + last + ")";
  return text;
}

std::string describe(cudaError_t error) {
  return std::string(cudaGetErrorName(error)) + ": " + cudaGetErrorString(error);
}

void fail(int rank, const std::string& operation, const std::string& reason) {
  throw RuntimeError("rank " + std::to_string(rank) + ": " + operation + ": " + reason);
}

void check_cuda(cudaError_t error, int rank, const std::string& operation) {
  if (error == cudaSuccess) return;
  // Non-sticky errors stay in the runtime's last-error slot; clear it so the next call is not
  // blamed for this one.
  (void)cudaGetLastError();
  fail(rank, operation, describe(error));
}

WaitResult wait_until_settled(ncclComm_t comm, Clock::time_point deadline) {
  for (;;) {
    ncclResult_t state = ncclInProgress;
    ncclResult_t query = ncclCommGetAsyncError(comm, &state);
    if (query != ncclSuccess) return {Settled::failed, query};
    if (state == ncclSuccess) return {Settled::ready, ncclSuccess};
    if (state != ncclInProgress) return {Settled::failed, state};
    if (Clock::now() > deadline) return {Settled::timed_out, ncclInProgress};
    // Yielding rather than sleeping keeps the host timer around an operation close to the
    // device's time; the core is given up whenever another thread wants it.
    std::this_thread::yield();
  }
}

std::string timeout_reason(std::chrono::milliseconds timeout) {
  return "not finished after " + std::to_string(timeout.count()) +
         " ms (a peer rank died, stalled or cannot be reached; raise --timeout if it is only slow)";
}

}  // namespace shardsim::runtime::nccl_detail
