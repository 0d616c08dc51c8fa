// What a live collective backend offers the runtime: a group of ranks that can all-gather,
// reduce-scatter and all-reduce buffers of its own memory (host memory for Gloo, device memory
// for NCCL), split itself into sub-groups (partition, replication, intra-node, inter-node groups,
// one communicator per group and stream, as ncclCommSplit does), and fail loudly instead of
// hanging. Byte and count conventions follow nccl-tests: all_gather takes `count` elements per
// rank and produces size()*count; reduce_scatter takes size()*count and leaves `count`;
// all_reduce keeps `count`. In-place calls follow NCCL (all_gather: send == recv + rank*count;
// reduce_scatter: recv == send + rank*count). Calls may be asynchronous (NCCL enqueues on a
// stream); synchronize() waits for everything issued on this communicator, so a host timer
// around call + synchronize() measures the operation on every backend.
#pragma once

#include "sim/collectives/collective.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace shardsim::runtime {

enum class DataType { f32, f64, f16, bf16, i32, i64 };
std::size_t size_of(DataType type);
const char* to_string(DataType type);
DataType parse_data_type(const std::string& text);  // "f32"/"float", "bf16", ...; throws RuntimeError

// Errors a user can act on: a missing device, an unreachable rendezvous, a peer that died or
// stalled past the timeout, mismatched arguments between ranks. The message names the rank.
struct RuntimeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Memory owned by a backend (device memory on NCCL). Value type: copies share the allocation.
struct Buffer {
  std::shared_ptr<void> memory;
  std::size_t bytes = 0;

  void* data() const { return memory.get(); }
  char* at(std::size_t offset_bytes) const { return static_cast<char*>(memory.get()) + offset_bytes; }
};

// Rendezvous key-value store shared by all ranks of a job (a file store locally, a TCP store at
// MASTER_ADDR:MASTER_PORT on clusters). get() waits for the key up to the timeout, then throws.
class Store {
 public:
  virtual ~Store() = default;
  virtual void set(const std::string& key, const std::vector<char>& value) = 0;
  virtual std::vector<char> get(const std::string& key, std::chrono::milliseconds timeout) = 0;
};

class Communicator {
 public:
  virtual ~Communicator() = default;

  virtual int rank() const = 0;  // within this communicator
  virtual int size() const = 0;
  virtual std::string backend() const = 0;  // "gloo", "nccl"

  // Collective over this communicator: ranks passing the same colour form one new communicator,
  // ordered by key. Every rank must call it. `tag` keeps concurrent splits apart in the store.
  virtual std::unique_ptr<Communicator> split(int colour, int key, const std::string& tag) = 0;

  virtual Buffer allocate(std::size_t bytes) = 0;
  virtual void copy_from_host(Buffer& destination, const void* host, std::size_t bytes) = 0;
  virtual void copy_to_host(void* host, const Buffer& source, std::size_t bytes) = 0;
  // A copy between two places in this backend's memory (device to device on NCCL), ordered after
  // the collectives already issued on this communicator: the hierarchical gather's placement copy.
  virtual void copy_local(void* destination, const void* source, std::size_t bytes) = 0;

  virtual void all_gather(const void* send, void* recv, std::size_t count, DataType type) = 0;
  virtual void reduce_scatter(const void* send, void* recv, std::size_t count, DataType type) = 0;  // sum
  virtual void all_reduce(const void* send, void* recv, std::size_t count, DataType type) = 0;      // sum
  // The call of this kind (the schedule's and the plans' vocabulary).
  void collective(CollectiveKind kind, const void* send, void* recv, std::size_t count, DataType type) {
    switch (kind) {
      case CollectiveKind::all_gather: all_gather(send, recv, count, type); break;
      case CollectiveKind::reduce_scatter: reduce_scatter(send, recv, count, type); break;
      case CollectiveKind::all_reduce: all_reduce(send, recv, count, type); break;
    }
  }
  virtual void barrier() = 0;
  virtual void synchronize() = 0;

  // Stop in-flight work after a peer failure so this rank can exit instead of hanging.
  virtual void abort() = 0;
};

}  // namespace shardsim::runtime
