#include "runtime/launch/argument_check.hpp"

#include <fmt/format.h>

#include <cstdint>

namespace shardsim::runtime {
namespace {

std::string key_of(int rank) { return fmt::format("arguments.{}", rank); }

std::string read_digest(Store& store, int rank, std::chrono::milliseconds timeout) {
  try {
    const auto value = store.get(key_of(rank), timeout);
    return std::string(value.begin(), value.end());
  } catch (const RuntimeError&) {
    throw RuntimeError(fmt::format("rank {} did not reach the rendezvous within {:g} s (not started, died, or "
                                   "started with a different world size)",
                                   rank, timeout.count() / 1000.0));
  }
}

}  // namespace

std::string arguments_digest(const std::vector<std::string>& arguments) {
  // FNV-1a 64-bit; each argument ends with a 0 byte so ("ab","c") and ("a","bc") differ.
  constexpr std::uint64_t kOffsetBasis = 14695981039346656037ull;
  constexpr std::uint64_t kPrime = 1099511628211ull;
  std::uint64_t hash = kOffsetBasis;
  for (const auto& argument : arguments) {
    for (const unsigned char c : argument) hash = (hash ^ c) * kPrime;
    hash = (hash ^ 0u) * kPrime;
  }
  return fmt::format("{:016x}", hash);
}

void check_arguments(Store& store, const LaunchInfo& info, const std::string& digest, std::chrono::milliseconds timeout) {
  store.set(key_of(info.rank), std::vector<char>(digest.begin(), digest.end()));
  if (info.rank != 0) {
    const std::string reference = read_digest(store, 0, timeout);
    if (reference != digest) {
      throw RuntimeError(fmt::format("rank {} was started with different arguments than rank 0 (argument digest {} "
                                     "vs {}); start every rank with the same command line",
                                     info.rank, digest, reference));
    }
    return;
  }
  for (int rank = 1; rank < info.world_size; ++rank) {
    const std::string other = read_digest(store, rank, timeout);
    if (other != digest) {
      throw RuntimeError(fmt::format("rank {} was started with different arguments than rank 0 (argument digest {} "
                                     "vs {}); start every rank with the same command line",
                                     rank, other, digest));
    }
  }
}

}  // namespace shardsim::runtime
