// Internal to the NCCL backend: one non-blocking NCCL communicator, the CUDA device it lives on
// and the one stream its collectives are ordered on. Calls enqueue on that stream and return;
// synchronize() polls the stream (cudaStreamQuery) and NCCL's asynchronous error together until
// the stream drains, the communicator fails, or the timeout passes - then it aborts the
// communicator and throws, naming the rank and the last operation issued. After abort() (or any
// such failure) every call throws; the destructor finalizes a healthy communicator, bounded by
// the timeout, and aborts a broken one.
#pragma once

#include "runtime/comm/communicator.hpp"
#include "runtime/nccl/nccl_prediction.hpp"

#include <cuda_runtime_api.h>
#include <nccl.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace shardsim::runtime {

class NcclCommunicator final : public Communicator {
 public:
  // Takes ownership of `comm`, which may still be initialising (ncclInProgress): the factory
  // calls await_ready before handing the communicator out.
  NcclCommunicator(ncclComm_t comm, int device, int global_rank, std::string name, std::chrono::milliseconds timeout);
  ~NcclCommunicator() override;
  NcclCommunicator(const NcclCommunicator&) = delete;
  NcclCommunicator& operator=(const NcclCommunicator&) = delete;

  // Waits until initialisation (or a split) is complete; aborts and throws on error or timeout.
  void await_ready(const std::string& operation);

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string backend() const override { return "nccl"; }

  // ncclCommSplit. A negative colour is refused, as the Gloo backend refuses it, so callers see
  // the same contract on both backends (NCCL_SPLIT_NOCOLOR is not offered).
  std::unique_ptr<Communicator> split(int colour, int key, const std::string& tag) override;

  Buffer allocate(std::size_t bytes) override;
  void copy_from_host(Buffer& destination, const void* host, std::size_t bytes) override;
  void copy_to_host(void* host, const Buffer& source, std::size_t bytes) override;
  void copy_local(void* destination, const void* source, std::size_t bytes) override;

  void all_gather(const void* send, void* recv, std::size_t count, DataType type) override;
  void reduce_scatter(const void* send, void* recv, std::size_t count, DataType type) override;
  void all_reduce(const void* send, void* recv, std::size_t count, DataType type) override;
  void barrier() override;
  void synchronize() override;
  void abort() override;

  std::optional<double> predicted_time_us(CollectiveKind kind, std::size_t count, DataType type);

  int device() const { return device_; }

 private:
  // What was issued last, for messages. Collectives are recorded as fields, not text, so the hot
  // path of a benchmark allocates nothing; the text is made only when something fails.
  struct IssuedOperation {
    std::string label = "no operation yet";  // used when collective is false
    bool collective = false;
    CollectiveKind kind = CollectiveKind::all_reduce;
    std::size_t count = 0;
    DataType type = DataType::f32;
  };

  void select_device() const;
  ncclComm_t healthy_comm(std::string_view what) const;  // throws once aborted
  void issue(std::string label);
  std::string last_operation() const;
  // Returns on ncclSuccess; waits out ncclInProgress; aborts and throws on anything else.
  void complete(ncclResult_t result);
  [[noreturn]] void abort_and_fail(const std::string& reason);
  void enqueue(CollectiveKind kind, const void* send, void* recv, std::size_t count, DataType type);

  // ncclCommSplit of this communicator, recorded as `operation`; returns the new handle once the
  // split has settled and NCCL has filled it in. Aborts and throws (naming `made`) on an error or
  // the timeout.
  ncclComm_t split_handle(int colour, int key, bool blocking, const std::string& operation, const std::string& made);
  // The blocking twin NCCL's predictions are asked of (made on the first one).
  ncclComm_t predictor();

  ncclComm_t comm_ = nullptr;
  // A blocking twin of comm_ (ncclCommSplit, colour 0, blocking = 1): ncclGroupSimulateEnd fills in
  // its estimate only for a blocking group. A non-blocking group is handed to a thread that runs
  // groupLaunch without the simInfo (NCCL 2.28 src/group.cc ncclGroupEndInternal), so on comm_ the
  // "simulated" call would really run and the estimate stay unset, as the first run on a GPU showed.
  ncclComm_t predictor_ = nullptr;
  cudaStream_t stream_ = nullptr;
  int device_ = 0;
  int global_rank_ = 0;  // the rank of this process in the world, for messages
  int rank_ = 0;
  int size_ = 0;
  std::string name_;  // "world", or the split's tag
  std::chrono::milliseconds timeout_;
  IssuedOperation last_;
  void* scratch_ = nullptr;  // device memory for barrier()
};

}  // namespace shardsim::runtime
