#include "runtime/bench/nccl_choice.hpp"

#include "runtime/comm/communicator.hpp"
#include "sim/input/input_error.hpp"
#include "sim/nccl/nccl_names.hpp"
#include "sim/nccl/nccl_tuning_log.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <tuple>

#include <unistd.h>

namespace shardsim::runtime {

void check_nccl_debug_unset() {
  if (const char* set = std::getenv("NCCL_DEBUG"); set != nullptr && *set != '\0')
    throw RuntimeError(fmt::format("--nccl-choice sets NCCL_DEBUG itself, but it is already set (NCCL_DEBUG={}); unset it", set));
}

std::string enable_nccl_choice_log() {
  check_nccl_debug_unset();
  const std::string path =
      (std::filesystem::temp_directory_path() / fmt::format("shardsim-nccl-tuning-{}.log", ::getpid())).string();
  ::setenv("NCCL_DEBUG", "INFO", 1);
  ::setenv("NCCL_DEBUG_SUBSYS", "TUNING", 1);
  ::setenv("NCCL_DEBUG_FILE", path.c_str(), 1);
  return path;
}

std::string attach_nccl_choices(std::vector<BenchRow>& rows, const std::string& path) {
  NcclTuningLog log;
  try {
    log = read_nccl_tuning_log(path);
  } catch (const InputError& e) {
    return fmt::format("--nccl-choice: NCCL's choices are left out: cannot read its TUNING log ({})", e.what());
  }
  // (kind, logged bytes) -> (algorithm, protocol, channels) -> lines
  using Choice = std::tuple<NcclAlgorithm, NcclProtocol, int>;
  std::map<std::pair<CollectiveKind, double>, std::map<Choice, int>> seen;
  for (const NcclLoggedCall& call : log.calls)
    ++seen[{call.kind, call.logged_bytes}][Choice{call.algorithm, call.protocol, call.channels}];
  for (BenchRow& row : rows) {
    if (row.algorithm != Algorithm::ring) continue;
    const double logged_bytes = static_cast<double>(row.size.count) * static_cast<double>(size_of(row.type));
    auto found = seen.find({row.op, logged_bytes});
    if (found == seen.end()) continue;
    const auto& [choice, lines] = *std::max_element(found->second.begin(), found->second.end(),
                                                    [](const auto& a, const auto& b) { return a.second < b.second; });
    row.nccl_choice = BenchNcclChoice{to_string(std::get<0>(choice)), to_string(std::get<1>(choice)), std::get<2>(choice)};
  }
  if (log.calls.empty()) return fmt::format("--nccl-choice: NCCL logged no per-call choice in {} (this NCCL release may not print them)", path);
  return {};
}

}  // namespace shardsim::runtime
