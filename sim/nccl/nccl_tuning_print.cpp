// NCCL's TUNING table layouts, printed with NCCL's own printf formats (see nccl_tuning_print.hpp).
#include "sim/nccl/nccl_tuning_print.hpp"

#include <fmt/printf.h>

namespace shardsim {
namespace {

constexpr std::array<const char*, 5> kFunctions = {"Broadcast", "Reduce", "AllGather", "ReduceScatter", "AllReduce"};

const char* printed_name(NcclAlgorithm a, NcclTuningLayout layout) {
  // ncclAlgoStr: "CollNet" until v2.13, "CollNetDirect"/"CollNetChain" (capital N) after.
  if (a == NcclAlgorithm::collnet_direct) return layout == NcclTuningLayout::single_line ? "CollNet" : "CollNetDirect";
  if (a == NcclAlgorithm::collnet_chain) return "CollNetChain";
  return to_string(a);
}

// One function's cells for the given algorithms: "%8.1f/%6.1f |" each.
std::string cells(const std::array<NcclCostTable, 3>& by_kind, int function, const std::vector<NcclAlgorithm>& algos) {
  std::string line;
  for (NcclAlgorithm a : algos)
    for (NcclProtocol p : kAllNcclProtocols) {
      double latency_us = 0, bandwidth_GBps = 0;
      if (function >= 2) {
        const NcclCost& c = by_kind[function - 2][nccl_index(a)][nccl_index(p)];
        if (c.ineligible.empty()) latency_us = c.latency_us, bandwidth_GBps = c.bandwidth_GBps;
      }
      line += fmt::sprintf("%8.1f/%6.1f |", latency_us, bandwidth_GBps);
    }
  return line;
}

std::string max_threads(const NcclTuningPrintOptions& o, std::size_t algorithms) {
  std::string line = " Max NThreads |";
  for (std::size_t i = 0; i < algorithms; ++i)
    for (int t : o.max_threads) line += fmt::sprintf(" %14d |", t);
  return line;
}

}  // namespace

std::vector<NcclAlgorithm> nccl_printed_algorithms(NcclTuningLayout layout) {
  const std::size_t n = layout == NcclTuningLayout::single_line ? 3 : layout == NcclTuningLayout::half_blocks ? 6 : 7;
  return {kAllNcclAlgorithms.begin(), kAllNcclAlgorithms.begin() + static_cast<std::ptrdiff_t>(n)};
}

std::string print_nccl_tuning_table(const std::array<NcclCostTable, 3>& by_kind, const NcclTuningPrintOptions& o) {
  const std::vector<NcclAlgorithm> algos = o.algorithms.empty() ? nccl_printed_algorithms(o.layout) : o.algorithms;
  std::string out;
  auto emit = [&](const std::string& text) { out += o.prefix + text + "\n"; };
  if (o.layout == NcclTuningLayout::single_line) {  // v2.8.3 .. v2.17.1
    std::string header = "Latency/AlgBw |";
    for (NcclAlgorithm a : algos)
      for (NcclProtocol p : kAllNcclProtocols) header += fmt::sprintf(" %7s/%6s |", printed_name(a, o.layout), to_string(p));
    emit(header);
    emit(max_threads(o, algos.size()));
    for (int f = 0; f < 5; ++f) emit(fmt::sprintf("%13s |", kFunctions[f]) + cells(by_kind, f, algos));
    return out;
  }
  // v2.18 .. v2.22: NCCL_NUM_ALGORITHMS/2 a block; v2.23 on: 3 a block. Either way 3 for 6 or 7.
  constexpr std::size_t kPerBlock = 3;
  for (std::size_t first = 0; first < algos.size(); first += kPerBlock) {
    const std::vector<NcclAlgorithm> block(algos.begin() + static_cast<std::ptrdiff_t>(first),
                                           algos.begin() + static_cast<std::ptrdiff_t>(std::min(first + kPerBlock, algos.size())));
    std::string header = "  Algorithm   |";
    for (NcclAlgorithm a : block) header += fmt::sprintf(" %14s   %14s   %14s |", "", printed_name(a, o.layout), "");
    emit(header);
    std::string protocols = "  Protocol    |";
    for (std::size_t slot = 0; slot < kPerBlock; ++slot)  // every slot, used or not, as NCCL does
      for (NcclProtocol p : kAllNcclProtocols) protocols += fmt::sprintf(" %14s |", to_string(p));
    emit(protocols);
    emit(max_threads(o, block.size()));
    for (int f = 0; f < 5; ++f) emit(fmt::sprintf("%13s |", kFunctions[f]) + cells(by_kind, f, block));
  }
  return out;
}

}  // namespace shardsim
