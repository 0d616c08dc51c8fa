// Measured collectives as `shardsim-run bench --json` writes them, and timed GEMM calls as
// `shardsim-run gemm --json` writes them (rows with op "gemm") (nccl-tests' conventions: M =
// all-gather output, reduce-scatter input, all-reduce vector; time per call). Rows that failed
// their correctness check (`wrong` > 0) are refused: a fit to wrong answers calibrates nothing.
// The group of a row is ranks [0, group_size): the runtime's partition groups are consecutive
// ranks, and the other groups of the same size run the same collective at the same time on
// other nodes, which a single group on an idle network represents exactly when groups span whole
// nodes (the only layouts the calibration accepts).
#pragma once

#include "sim/collectives/collective.hpp"
#include "validate/calibrate/compute_fit.hpp"

#include <string>
#include <vector>

namespace shardsim::validate {

struct BenchRow {
  std::string origin;  // "file.json: /results/3"
  CollectiveKind kind = CollectiveKind::all_gather;
  Algorithm algorithm = Algorithm::ring;
  int group_size = 0;
  double bytes = 0;
  double time_s = 0;
  int ranks_per_node = 0;
  int nodes = 0;
};

struct BenchMeasurements {
  std::vector<BenchRow> collectives;
  std::vector<GemmRow> gemms;
};

// Reads one bench or gemm --json file (an array of rows, or an object holding one under "results"
// or "rows"). Throws InputError naming the file and row, or when the file holds no rows.
BenchMeasurements read_bench_file(const std::string& path);

}  // namespace shardsim::validate
