#include "runtime/nccl/nccl_communicator.hpp"

#include "runtime/nccl/nccl_data_type.hpp"
#include "runtime/nccl/nccl_status.hpp"

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace shardsim::runtime {

using nccl_detail::Clock;
using nccl_detail::describe;
using nccl_detail::Settled;

namespace {

std::string describe_call(CollectiveKind kind, std::size_t count, DataType type) {
  return std::string(to_string(kind)) + " of " + std::to_string(count) + " x " + nccl_type_of(type).nccl_name +
         " per rank";
}

// The size of the send and receive buffers of one collective, nccl-tests conventions.
struct CallBytes {
  std::size_t send = 0;
  std::size_t recv = 0;
};

CallBytes call_bytes(CollectiveKind kind, std::size_t count, DataType type, int size) {
  const std::size_t element = nccl_type_of(type).element_bytes;
  return {input_elements(kind, count, size) * element, output_elements(kind, count, size) * element};
}

ncclResult_t launch(CollectiveKind kind, const void* send, void* recv, std::size_t count, DataType type,
                    ncclComm_t comm, cudaStream_t stream) {
  auto nccl_type = static_cast<ncclDataType_t>(nccl_type_of(type).nccl_type);
  switch (kind) {
    case CollectiveKind::all_gather: return ncclAllGather(send, recv, count, nccl_type, comm, stream);
    case CollectiveKind::reduce_scatter: return ncclReduceScatter(send, recv, count, nccl_type, ncclSum, comm, stream);
    case CollectiveKind::all_reduce: return ncclAllReduce(send, recv, count, nccl_type, ncclSum, comm, stream);
  }
  return ncclInvalidArgument;
}

// Runs `call` (a blocking NCCL call) on a thread of its own and waits for it at most `timeout`.
// nullopt when it did not return in time: the thread is left behind, and the caller aborts the
// communicator it waits on (which sets the abort flag NCCL's blocking calls poll) and fails.
std::optional<ncclResult_t> call_bounded(int device, std::chrono::milliseconds timeout, std::function<ncclResult_t()> call) {
  struct State {
    std::mutex mutex;
    std::condition_variable done_signal;
    bool done = false;
    ncclResult_t result = ncclSuccess;
  };
  auto state = std::make_shared<State>();
  std::thread([state, device, call = std::move(call)] {
    ncclResult_t result = cudaSetDevice(device) == cudaSuccess ? call() : ncclUnhandledCudaError;
    const std::lock_guard<std::mutex> lock(state->mutex);
    state->result = result;
    state->done = true;
    state->done_signal.notify_all();
  }).detach();
  std::unique_lock<std::mutex> lock(state->mutex);
  if (!state->done_signal.wait_for(lock, timeout, [&] { return state->done; })) return std::nullopt;
  return state->result;
}

}  // namespace

NcclCommunicator::NcclCommunicator(ncclComm_t comm, int device, int global_rank, std::string name,
                                   std::chrono::milliseconds timeout)
    : comm_(comm), device_(device), global_rank_(global_rank), name_(std::move(name)), timeout_(timeout) {}

NcclCommunicator::~NcclCommunicator() {
  cudaSetDevice(device_);
  // The twin has nothing outstanding (predictions launch nothing); abort is local and cannot block.
  if (predictor_ != nullptr) ncclCommAbort(predictor_);
  if (comm_ != nullptr) {
    // Finalize flushes this rank's outstanding work, bounded like every other wait; a
    // communicator that cannot finish in time is aborted rather than left to block exit.
    ncclResult_t result = ncclCommFinalize(comm_);
    bool finalized = result == ncclSuccess ||
                     (result == ncclInProgress &&
                      nccl_detail::wait_until_settled(comm_, Clock::now() + timeout_).outcome == Settled::ready);
    if (finalized) {
      ncclCommDestroy(comm_);
    } else {
      ncclCommAbort(comm_);
    }
    comm_ = nullptr;
  }
  if (scratch_ != nullptr) cudaFree(scratch_);
  if (stream_ != nullptr) cudaStreamDestroy(stream_);
  (void)cudaGetLastError();
}

void NcclCommunicator::select_device() const {
  // The calling thread may have another current device (a step executor thread, a second
  // communicator); every entry point sets it, which costs nothing when it is already current.
  nccl_detail::check_cuda(cudaSetDevice(device_), global_rank_, "cudaSetDevice(" + std::to_string(device_) + ")");
}

ncclComm_t NcclCommunicator::healthy_comm(std::string_view what) const {
  if (comm_ == nullptr) {
    nccl_detail::fail(global_rank_, name_ + " communicator: " + std::string(what),
                      "the communicator was aborted after " + last_operation() + "; it takes no further calls");
  }
  return comm_;
}

void NcclCommunicator::issue(std::string label) {
  last_.label = std::move(label);
  last_.collective = false;
}

std::string NcclCommunicator::last_operation() const {
  return last_.collective ? describe_call(last_.kind, last_.count, last_.type) : last_.label;
}

void NcclCommunicator::abort_and_fail(const std::string& reason) {
  if (comm_ != nullptr) {
    ncclCommAbort(comm_);
    comm_ = nullptr;
  }
  nccl_detail::fail(global_rank_, name_ + " communicator: " + last_operation(), reason + "; communicator aborted");
}

void NcclCommunicator::complete(ncclResult_t result) {
  if (result == ncclSuccess) return;
  if (result != ncclInProgress) abort_and_fail(describe(result));
  nccl_detail::WaitResult settled = nccl_detail::wait_until_settled(comm_, Clock::now() + timeout_);
  if (settled.outcome == Settled::failed) abort_and_fail(describe(settled.error));
  if (settled.outcome == Settled::timed_out) abort_and_fail(nccl_detail::timeout_reason(timeout_));
}

void NcclCommunicator::await_ready(const std::string& operation) {
  issue(operation);
  select_device();
  complete(ncclInProgress);
  ncclResult_t result = ncclCommUserRank(comm_, &rank_);
  if (result == ncclSuccess) result = ncclCommCount(comm_, &size_);
  if (result != ncclSuccess) abort_and_fail(describe(result));
  // A stream of its own, not synchronising with the legacy default stream, so collectives of
  // different communicators (gather and reduce streams of a step) can overlap.
  cudaError_t error = cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking);
  if (error == cudaSuccess) error = cudaMalloc(&scratch_, sizeof(float));
  if (error != cudaSuccess) {
    (void)cudaGetLastError();
    abort_and_fail(describe(error));
  }
}

ncclComm_t NcclCommunicator::split_handle(int colour, int key, bool blocking, const std::string& operation,
                                          const std::string& made) {
  ncclComm_t parent = healthy_comm(operation);
  select_device();
  issue(operation);
  ncclConfig_t config = NCCL_CONFIG_INITIALIZER;
  config.blocking = blocking ? 1 : 0;
  ncclComm_t child = nullptr;
  // The split runs on the parent: nothing else may be issued on it until it is settled, and
  // NCCL (2.23 at least) fills in the child's handle only then, from its own thread - hence the
  // atomic reads.
  std::atomic_ref<ncclComm_t> child_handle(child);
  ncclResult_t result = ncclCommSplit(parent, colour, key, &child, &config);
  try {
    complete(result);
  } catch (...) {
    if (ncclComm_t partial = child_handle.load(); partial != nullptr) ncclCommAbort(partial);
    throw;
  }
  const Clock::time_point deadline = Clock::now() + timeout_;
  while (child_handle.load() == nullptr) {
    if (Clock::now() > deadline) abort_and_fail("NCCL gave no " + made + ": " + nccl_detail::timeout_reason(timeout_));
    std::this_thread::yield();
  }
  return child_handle.load();
}

std::unique_ptr<Communicator> NcclCommunicator::split(int colour, int key, const std::string& tag) {
  if (colour < 0) {
    nccl_detail::fail(global_rank_, "split '" + tag + "'", "colour must be non-negative, got " + std::to_string(colour));
  }
  const std::string operation = "split '" + tag + "' (colour " + std::to_string(colour) + ", key " + std::to_string(key) + ")";
  ncclComm_t child = split_handle(colour, key, false, operation, "child communicator");
  // The child is polled on its own until it is initialised.
  auto communicator = std::make_unique<NcclCommunicator>(child, device_, global_rank_, tag, timeout_);
  communicator->await_ready(last_.label);
  return communicator;
}

Buffer NcclCommunicator::allocate(std::size_t bytes) {
  select_device();
  void* memory = nullptr;
  nccl_detail::check_cuda(cudaMalloc(&memory, bytes == 0 ? 1 : bytes), global_rank_,
                          "cudaMalloc of " + std::to_string(bytes) + " bytes on device " + std::to_string(device_));
  int device = device_;
  return Buffer{std::shared_ptr<void>(memory,
                                      [device](void* pointer) {
                                        int current = 0;
                                        cudaGetDevice(&current);
                                        cudaSetDevice(device);
                                        cudaFree(pointer);
                                        cudaSetDevice(current);
                                      }),
                bytes};
}

void NcclCommunicator::copy_from_host(Buffer& destination, const void* host, std::size_t bytes) {
  const std::string operation = "copy of " + std::to_string(bytes) + " bytes to the device";
  if (bytes > destination.bytes) {
    nccl_detail::fail(global_rank_, operation, "the buffer holds only " + std::to_string(destination.bytes) + " bytes");
  }
  healthy_comm(operation);
  select_device();
  issue(operation);
  // On this communicator's stream, so the copy is ordered after the collectives already issued
  // (a plain cudaMemcpy would not wait for a non-blocking stream), then waited for with the timeout.
  nccl_detail::check_cuda(cudaMemcpyAsync(destination.data(), host, bytes, cudaMemcpyHostToDevice, stream_),
                          global_rank_, operation);
  synchronize();
}

void NcclCommunicator::copy_to_host(void* host, const Buffer& source, std::size_t bytes) {
  const std::string operation = "copy of " + std::to_string(bytes) + " bytes from the device";
  if (bytes > source.bytes) {
    nccl_detail::fail(global_rank_, operation, "the buffer holds only " + std::to_string(source.bytes) + " bytes");
  }
  healthy_comm(operation);
  select_device();
  issue(operation);
  nccl_detail::check_cuda(cudaMemcpyAsync(host, source.data(), bytes, cudaMemcpyDeviceToHost, stream_), global_rank_,
                          operation);
  synchronize();
}

void NcclCommunicator::copy_local(void* destination, const void* source, std::size_t bytes) {
  const std::string operation = "device copy of " + std::to_string(bytes) + " bytes";
  healthy_comm(operation);
  select_device();
  issue(operation);
  // On this communicator's stream: after the collective that produced `source`, before the next one.
  nccl_detail::check_cuda(cudaMemcpyAsync(destination, source, bytes, cudaMemcpyDeviceToDevice, stream_), global_rank_,
                          operation);
}

void NcclCommunicator::enqueue(CollectiveKind kind, const void* send, void* recv, std::size_t count, DataType type) {
  ncclComm_t comm = healthy_comm(to_string(kind));
  select_device();
  last_.collective = true;
  last_.kind = kind;
  last_.count = count;
  last_.type = type;
  complete(launch(kind, send, recv, count, type, comm, stream_));
}

void NcclCommunicator::all_gather(const void* send, void* recv, std::size_t count, DataType type) {
  enqueue(CollectiveKind::all_gather, send, recv, count, type);
}

void NcclCommunicator::reduce_scatter(const void* send, void* recv, std::size_t count, DataType type) {
  enqueue(CollectiveKind::reduce_scatter, send, recv, count, type);
}

void NcclCommunicator::all_reduce(const void* send, void* recv, std::size_t count, DataType type) {
  enqueue(CollectiveKind::all_reduce, send, recv, count, type);
}

void NcclCommunicator::barrier() {
  // NCCL has no barrier: a one-element all-reduce that every rank must join, waited for.
  enqueue(CollectiveKind::all_reduce, scratch_, scratch_, 1, DataType::f32);
  issue("barrier");
  synchronize();
}

void NcclCommunicator::synchronize() {
  ncclComm_t comm = healthy_comm("synchronize");
  select_device();
  const Clock::time_point deadline = Clock::now() + timeout_;
  for (;;) {
    cudaError_t stream_state = cudaStreamQuery(stream_);
    if (stream_state == cudaSuccess) return;
    if (stream_state != cudaErrorNotReady) {
      (void)cudaGetLastError();
      abort_and_fail("while waiting: " + describe(stream_state));
    }
    // A kernel waiting for a dead peer never finishes; NCCL notices the broken connection on its
    // proxy thread and reports it here, which is what lets this rank stop instead of spinning.
    ncclResult_t state = ncclSuccess;
    ncclResult_t query = ncclCommGetAsyncError(comm, &state);
    if (query != ncclSuccess) abort_and_fail("while waiting: " + describe(query));
    if (state != ncclSuccess && state != ncclInProgress) abort_and_fail("while waiting: " + describe(state));
    if (Clock::now() > deadline) abort_and_fail(nccl_detail::timeout_reason(timeout_));
    std::this_thread::yield();
  }
}

void NcclCommunicator::abort() {
  if (comm_ != nullptr) {
    ncclCommAbort(comm_);
    comm_ = nullptr;
    issue("abort() after " + last_operation());
  }
}

ncclComm_t NcclCommunicator::predictor() {
  if (predictor_ == nullptr) {
    predictor_ = split_handle(0, rank_, true, "split a blocking twin for NCCL's predictions (ncclCommSplit, blocking = 1)",
                              "twin communicator");
  }
  return predictor_;
}

std::optional<double> NcclCommunicator::predicted_time_us(CollectiveKind kind, std::size_t count, DataType type) {
#if NCCL_VERSION_CODE >= NCCL_VERSION(2, 22, 0)
  int linked_version = 0;
  if (ncclGetVersion(&linked_version) != ncclSuccess || linked_version < NCCL_VERSION(2, 22, 0)) return std::nullopt;
  healthy_comm("ncclGroupSimulateEnd");
  select_device();
  ncclComm_t twin = predictor();
  // Real buffers of the call's sizes: nothing is launched, but NCCL sees the same arguments as
  // for the measured call (in-place detection, buffer registration).
  CallBytes bytes = call_bytes(kind, count, type, size_);
  Buffer send = allocate(bytes.send);
  Buffer recv = allocate(bytes.recv);
  issue("predicting " + describe_call(kind, count, type) + " (ncclGroupSimulateEnd)");
  // Blocking: NCCL may connect the chosen algorithm's peers first (runtime connection), which every
  // rank does for the same call, so it is bounded like every other wait.
  auto estimate_us = std::make_shared<float>(-1.0F);
  cudaStream_t stream = stream_;
  std::optional<ncclResult_t> result = call_bounded(device_, timeout_, [=] {
    ncclResult_t started = ncclGroupStart();
    if (started != ncclSuccess) return started;
    ncclResult_t enqueued = launch(kind, send.data(), recv.data(), count, type, twin, stream);
    // The group is closed whatever the enqueue said, or this thread would stay inside it.
    ncclSimInfo_t info = NCCL_SIM_INFO_INITIALIZER;
    ncclResult_t ended = ncclGroupSimulateEnd(&info);
    *estimate_us = info.estimatedTime;
    return enqueued != ncclSuccess ? enqueued : ended;
  });
  if (!result) {
    predictor_ = nullptr;  // still in use by the thread left behind: never touched again
    abort_and_fail("ncclGroupSimulateEnd: " + nccl_detail::timeout_reason(timeout_));
  }
  if (*result != ncclSuccess) abort_and_fail(describe(*result));
  if (*estimate_us < 0) return std::nullopt;
  return static_cast<double>(*estimate_us);
#else
  (void)kind;
  (void)count;
  (void)type;
  return std::nullopt;
#endif
}

}  // namespace shardsim::runtime
