// One nccl-tests text log (`all_gather_perf`, `reduce_scatter_perf`, `all_reduce_perf` output,
// github.com/NVIDIA/nccl-tests src/common.cu): '#' header lines, among them one
// `#  Rank  N Group  G Pid  P on  HOST device  D [0x..] NAME` line per rank (distinct hosts are the
// nodes), the column header `#  size count type redop root  time algbw busbw #wrong  time ...`,
// then one data row per size: size (B), count (elements), type, redop, root, the out-of-place
// time (us), algbw, busbw (GB/s) and #wrong, and the same four in place (older releases: no root,
// and an `error` column, the largest numerical error, for #wrong; the header says which); the trailer
// `# Out of bounds values : 0 OK` / `# Avg bus bandwidth : X`. Other lines (mpirun echoes, NCCL
// INFO lines) are skipped. Sizes are nccl-tests' convention: all-gather output, reduce-scatter
// input, all-reduce vector. The collective comes from the program name in the log, else in the
// file name, else from the caller; ranks and nodes from the Rank lines, else from the caller.
// Size-0 rows (all_gather_perf below one element per rank) are skipped; rows whose #wrong is
// above 0 are refused: a fit to wrong answers calibrates nothing.
#pragma once

#include "sim/collectives/collective.hpp"

#include <optional>
#include <string>
#include <vector>

namespace shardsim::validate {

struct NcclTestsRow {
  std::string origin;  // "file.log:42"
  double bytes = 0;
  long count_elements = 0;
  std::string type;
  std::string redop;
  int root = -1;
  double out_of_place_time_us = 0;
  double out_of_place_algbw_GBps = 0;
  double out_of_place_busbw_GBps = 0;
  double in_place_time_us = 0;
  double in_place_algbw_GBps = 0;
  double in_place_busbw_GBps = 0;
};

struct NcclTestsLog {
  std::string file;
  CollectiveKind kind = CollectiveKind::all_reduce;
  int nodes = 0;
  int ranks_per_node = 0;
  std::optional<double> avg_busbw_GBps;  // the trailer, when present
  std::string nccl_version;               // "2.18.3" from `NCCL version 2.18.3` (NCCL_DEBUG=INFO) or
                                          // `nccl-library=21803` (nccl-tests >= 2.13); empty if neither
  std::vector<NcclTestsRow> rows;
};

// What the log itself may lack: the collective, the node shape.
struct NcclTestsDefaults {
  std::optional<CollectiveKind> kind;
  int nodes = 0;           // 0: not given
  int ranks_per_node = 0;  // 0: not given
};

// Throws InputError naming the file (and line, for a bad row).
NcclTestsLog read_nccl_tests_log(const std::string& path, const NcclTestsDefaults& defaults = {});

// The same, from text already read (`name` stands for the file in messages).
NcclTestsLog parse_nccl_tests_log(const std::string& text, const std::string& name, const NcclTestsDefaults& defaults = {});

}  // namespace shardsim::validate
