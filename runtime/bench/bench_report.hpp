// How bench results are shown: nccl-tests' table (size, count, type, redop, root, then time,
// algbw, busbw and #wrong out of place and in place) for people, and {"results": [...]} with one
// object per op, size and placement for the calibration tools, with the key names and units of
// `shardsim collective --json` (time_s, algbw_GBps, busbw_GBps, nccl_time_s; sizes in bytes), so
// measured and simulated rows join on op, algo, group_size and bytes.
#pragma once

#include "runtime/bench/bench_plan.hpp"

#include <optional>
#include <string>
#include <vector>

namespace shardsim::runtime {

struct BenchMeasurement {
  double time_us = 0;  // mean per operation, averaged over ranks
  double algbw_GBps = 0;
  double busbw_GBps = 0;
  std::uint64_t wrong = 0;  // summed over every rank of every group
  // NCCL's own estimate for this call (ncclGroupSimulateEnd), on the NCCL backend for flat
  // collectives; rank 0's, as NCCL's tuning model is the same on every rank.
  std::optional<double> nccl_predicted_time_us;
};

// What NCCL itself ran a row's out-of-place call with, from its TUNING log (bench --nccl-choice).
struct BenchNcclChoice {
  std::string algorithm;  // as shardsim names them ("Ring", "Tree", "PAT", ...)
  std::string protocol;   // "LL", "LL128", "Simple"
  int channels = 0;
};

struct BenchRow {
  CollectiveKind op = CollectiveKind::all_gather;
  Algorithm algorithm = Algorithm::ring;
  DataType type = DataType::f32;
  SizePoint size;
  BenchMeasurement out_of_place;
  BenchMeasurement in_place;
  std::optional<BenchNcclChoice> nccl_choice;
};

struct BenchContext {
  std::string backend;
  int world_size = 1;
  int ranks_per_node = 1;
  int nodes = 1;
  GroupSpec group;
  int group_nodes = 1;           // nodes one group spans
  int group_ranks_per_node = 1;  // ranks of one group on each of them
  int iterations = 0;
  int warmup = 0;
};

const char* nccl_tests_type_name(DataType type);  // "float", "bfloat16", ...

std::string table_preamble(const BenchContext& context);
std::string table_header(CollectiveKind op, Algorithm algorithm);
std::string table_row(const BenchRow& row);
std::string table_footer(const std::vector<BenchRow>& rows);
// shardsim's prediction of one row (bench_prediction.hpp, with --predict).
struct BenchPrediction {
  double time_s = 0;          // the event simulation on the modelled cluster
  double formula_time_s = 0;  // NCCL's formula (ncclTopoGetAlgoTime) for the modelled choice; 0 without NCCL
  std::string algorithm;  // NCCL's modelled pick ("Ring", "Tree", ...), or what was simulated
  std::string protocol;   // "" where the library has none (Gloo)
  int channels = 0;       // 0 where the library has none
};

// `predictions` (empty without --predict) add predicted_time_s, predicted_formula_time_s,
// predicted_algorithm, predicted_protocol and predicted_channels to each row's objects; a row's
// NCCL choice (--nccl-choice) adds nccl_algorithm, nccl_protocol and nccl_channels.
std::string results_json(const BenchContext& context, const std::vector<BenchRow>& rows,
                         const std::vector<BenchPrediction>& predictions = {});

}  // namespace shardsim::runtime
