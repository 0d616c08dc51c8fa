// `shardsim nccl --tuning-log FILE [--table-index N]`: NCCL's own cost table, read from a log its
// rank 0 wrote with NCCL_DEBUG=INFO NCCL_DEBUG_SUBSYS=TUNING, beside shardsim's modelled table for
// the op (cell by cell, relative difference, a marker where they differ), and per size the
// algorithm/protocol each table makes NCCL choose (sim/nccl/nccl_table_compare.hpp).
#pragma once

#include "sim/nccl/nccl_system.hpp"
#include "sim/nccl/nccl_version.hpp"

#include <string>
#include <vector>

namespace shardsim::cli {

void print_nccl_tuning_comparison(const NcclVersion& version, const NcclSystem& system, CollectiveKind kind,
                                  const std::string& log_path, int table_index, const std::vector<double>& sizes_bytes, bool json);

}  // namespace shardsim::cli
