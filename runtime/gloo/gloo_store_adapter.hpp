// Gloo's rendezvous reads a gloo::rendezvous::Store; this presents a prefixed view of the job's
// Store to it, so every communicator (world and each split) connects through its own key space.
#pragma once

#include "runtime/comm/communicator.hpp"

#include <gloo/rendezvous/store.h>

namespace shardsim::runtime {

class GlooStoreAdapter : public gloo::rendezvous::Store {
 public:
  GlooStoreAdapter(runtime::Store& store, std::string prefix, std::chrono::milliseconds timeout)
      : store_(store), prefix_(std::move(prefix)), timeout_(timeout) {}

  void set(const std::string& key, const std::vector<char>& data) override { store_.set(prefix_ + key, data); }
  std::vector<char> get(const std::string& key) override { return store_.get(prefix_ + key, timeout_); }
  void wait(const std::vector<std::string>& keys) override { wait(keys, timeout_); }
  void wait(const std::vector<std::string>& keys, const std::chrono::milliseconds& timeout) override {
    for (const auto& key : keys) store_.get(prefix_ + key, timeout);
  }

 private:
  runtime::Store& store_;
  std::string prefix_;
  std::chrono::milliseconds timeout_;
};

}  // namespace shardsim::runtime
