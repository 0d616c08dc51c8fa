// shardsim's modelled NCCL cost table (nccl_tune_model) beside the one NCCL itself printed
// (nccl_tuning_log.hpp) for one collective: cell by cell, and the algorithm and protocol each
// table makes NCCL choose per size. The choice runs the same code on both tables
// (nccl_algo_time's size-dependent corrections, the arg-min in NCCL's loop order with a strict
// "<", the small-message channel reduction), so a difference in choice comes from the tables
// alone. NCCL does not print channel counts; the printed table's cells take the modelled graph's
// (they matter only to the ring Simple plateau and the channel reduction).
#pragma once

#include "sim/nccl/nccl_select.hpp"
#include "sim/nccl/nccl_tuning_log.hpp"

#include <optional>
#include <vector>

namespace shardsim {

struct NcclCellComparison {
  NcclAlgorithm algorithm = NcclAlgorithm::ring;
  NcclProtocol protocol = NcclProtocol::simple;
  NcclCost nccl;   // as printed (ineligible: not printed, or bandwidth 0)
  NcclCost model;  // as modelled
  bool both_eligible() const { return nccl.ineligible.empty() && model.ineligible.empty(); }
  // (model - nccl) / nccl, when both are eligible and NCCL's value is not 0.
  std::optional<double> latency_rel_diff, bandwidth_rel_diff;
  // Eligibility differs, or latency or bandwidth differ by more than 1% and by more than NCCL's
  // print rounding (0.05: "%8.1f/%6.1f").
  bool differs = false;
};

struct NcclChoiceComparison {
  double bytes = 0;
  std::optional<NcclChoice> nccl;  // none when NCCL's table has no eligible cell
  NcclChoice model;
  bool agree = false;  // same algorithm and protocol
};

struct NcclTableComparison {
  std::vector<NcclCellComparison> cells;  // every cell eligible in either table, in NCCL's loop order
  std::vector<NcclChoiceComparison> choices;
  int differing_cells = 0;
  int agreeing_sizes = 0;
};

inline constexpr double kNcclCellRelTolerance = 0.01;

// The arg-min of ncclTopoGetAlgoTime over any table's eligible cells (nccl_select's rule, without
// forcing); none when no cell is eligible. On nccl_tune_model's table it equals nccl_select.
std::optional<NcclChoice> nccl_select_from_table(const NcclVersion& version, const NcclSystem& system, CollectiveKind kind,
                                                 const NcclCostTable& table, double bytes);

// NCCL's logged choices for one collective kind (nccl_tuning_log.hpp's per-call lines) against the
// model's choice for the same call, one row per distinct (size, algorithm, protocol, channels) in
// order of first appearance. The logged count x type size becomes nccl-tests' size with the
// system's ranks (x ranks for AllGather and ReduceScatter).
struct NcclCallComparison {
  double bytes = 0;  // nccl-tests convention
  int calls = 0;     // logged calls with this size and choice
  int first_line = 0;
  NcclAlgorithm algorithm = NcclAlgorithm::ring;  // NCCL's
  NcclProtocol protocol = NcclProtocol::simple;
  int channels = 0;
  NcclChoice model;
  bool agree = false;  // same algorithm and protocol
};
std::vector<NcclCallComparison> compare_nccl_calls(const NcclVersion& version, const NcclSystem& system, CollectiveKind kind,
                                                   const std::vector<NcclLoggedCall>& calls);

NcclTableComparison compare_nccl_tables(const NcclVersion& version, const NcclSystem& system, CollectiveKind kind,
                                        const NcclCostTable& printed, const std::vector<double>& sizes_bytes);

}  // namespace shardsim
