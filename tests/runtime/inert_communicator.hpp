// A communicator that exchanges nothing, for tests of what surrounds a backend (the backend
// registry, NCCL-only predictions): it reports a backend name and a size and does no work.
#pragma once

#include "runtime/comm/communicator.hpp"

#include <string>
#include <utility>

namespace shardsim::runtime::testing {

class InertCommunicator : public Communicator {
 public:
  explicit InertCommunicator(std::string backend, int size = 1) : backend_(std::move(backend)), size_(size) {}
  int rank() const override { return 0; }
  int size() const override { return size_; }
  std::string backend() const override { return backend_; }
  std::unique_ptr<Communicator> split(int, int, const std::string&) override { return nullptr; }
  Buffer allocate(std::size_t) override { return {}; }
  void copy_from_host(Buffer&, const void*, std::size_t) override {}
  void copy_to_host(void*, const Buffer&, std::size_t) override {}
  void copy_local(void*, const void*, std::size_t) override {}
  void all_gather(const void*, void*, std::size_t, DataType) override {}
  void reduce_scatter(const void*, void*, std::size_t, DataType) override {}
  void all_reduce(const void*, void*, std::size_t, DataType) override {}
  void barrier() override {}
  void synchronize() override {}
  void abort() override {}

 private:
  std::string backend_;
  int size_;
};

}  // namespace shardsim::runtime::testing
