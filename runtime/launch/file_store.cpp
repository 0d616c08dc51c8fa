#include "runtime/launch/file_store.hpp"

#include "runtime/launch/memory_store.hpp"

#include <fmt/format.h>
#include <gloo/rendezvous/file_store.h>

#include <filesystem>

namespace shardsim::runtime {

FileStore::FileStore(const std::string& directory) : directory_(directory) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) throw RuntimeError(fmt::format("rendezvous directory '{}': {}", directory, error.message()));
  store_ = std::make_unique<gloo::rendezvous::FileStore>(directory);
}

FileStore::~FileStore() = default;

void FileStore::set(const std::string& key, const std::vector<char>& value) {
  try {
    store_->set(key, value);
  } catch (const std::exception& error) {
    throw RuntimeError(fmt::format("rendezvous directory '{}': cannot set '{}' ({}); use a fresh directory per job",
                                   directory_, key, error.what()));
  }
}

std::vector<char> FileStore::get(const std::string& key, std::chrono::milliseconds timeout) {
  try {
    store_->wait({key}, timeout);
  } catch (const std::exception&) {
    throw_store_timeout(key, timeout);
  }
  return store_->get(key);
}

}  // namespace shardsim::runtime
