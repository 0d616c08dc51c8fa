// A cost table printed exactly as NCCL's ncclTopoTuneModel prints it under NCCL_DEBUG=INFO
// NCCL_DEBUG_SUBSYS=TUNING, in one of its layouts (nccl_tuning_log.hpp), with the printf formats
// of src/graph/tuning.cc at v2.12.12, v2.18.3 and v2.28.9. It writes the test logs
// (tests/nccl/data/) from shardsim's own modelled table, so the reader is checked against the very
// formats NCCL uses; Broadcast and Reduce, which shardsim does not model, print as 0.0/0.0 cells.
#pragma once

#include "sim/nccl/nccl_tuning_log.hpp"

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace shardsim {

struct NcclTuningPrintOptions {
  NcclTuningLayout layout = NcclTuningLayout::blocks_of_three;
  // The algorithms the release prints, in index order: {Tree, Ring, CollnetDirect} (printed
  // "CollNet" in single_line, as v2.8-v2.12 spell it), the first 6 (half_blocks) or all 7.
  std::vector<NcclAlgorithm> algorithms;
  std::array<int, kNcclProtocols> max_threads{};  // the " Max NThreads |" line, per protocol
  std::string prefix = "host:1:1 [0] NCCL INFO ";  // NCCL's "%s:%d:%d [%d] NCCL INFO "
};

// The algorithms a layout prints by default (see NcclTuningPrintOptions::algorithms).
std::vector<NcclAlgorithm> nccl_printed_algorithms(NcclTuningLayout layout);

// Lines ending in '\n'; ineligible cells print as 0.0 latency and 0.0 bandwidth.
std::string print_nccl_tuning_table(const std::array<NcclCostTable, 3>& by_kind, const NcclTuningPrintOptions& options);

}  // namespace shardsim
