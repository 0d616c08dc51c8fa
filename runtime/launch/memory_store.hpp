// A rendezvous store inside one process: for a world of one rank, and for tests that run several
// ranks as threads of one process. Thread-safe; get() waits for the key up to the timeout.
#pragma once

#include "runtime/comm/communicator.hpp"

#include <condition_variable>
#include <map>
#include <mutex>

namespace shardsim::runtime {

class MemoryStore : public Store {
 public:
  void set(const std::string& key, const std::vector<char>& value) override;
  std::vector<char> get(const std::string& key, std::chrono::milliseconds timeout) override;

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, std::vector<char>> values_;
};

// The error every store throws when a key does not appear in time: names the key and the timeout.
[[noreturn]] void throw_store_timeout(const std::string& key, std::chrono::milliseconds timeout);

}  // namespace shardsim::runtime
