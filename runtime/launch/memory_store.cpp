#include "runtime/launch/memory_store.hpp"

#include <fmt/format.h>

namespace shardsim::runtime {

void MemoryStore::set(const std::string& key, const std::vector<char>& value) {
  {
    std::lock_guard lock(mutex_);
    values_[key] = value;
  }
  changed_.notify_all();
}

std::vector<char> MemoryStore::get(const std::string& key, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  if (!changed_.wait_for(lock, timeout, [&] { return values_.count(key) > 0; })) throw_store_timeout(key, timeout);
  return values_.at(key);
}

void throw_store_timeout(const std::string& key, std::chrono::milliseconds timeout) {
  throw RuntimeError(fmt::format("rendezvous: key '{}' did not appear within {:g} s (a rank did not start, died, "
                                 "or was started with a different world size)",
                                 key, timeout.count() / 1000.0));
}

}  // namespace shardsim::runtime
