// What shardsim predicts for each row of a live bench sweep: the same collective, size and group
// simulated on a modelled cluster of the job's shape (the instance's GPUs per node must be the
// job's ranks per node), through the same collective library the simulator would use (NCCL's own
// choice of algorithm, protocol and channels where the library is an NCCL version, Gloo's rings
// otherwise). Printed beside the measurement, it shows per size both what the model expects and
// which algorithm and protocol NCCL's cost model picks, next to NCCL's own estimate
// (ncclGroupSimulateEnd, nccl_time_s) on the NCCL backend.
#pragma once

#include "runtime/bench/bench_report.hpp"
#include "sim/collsim/library_plan.hpp"
#include "sim/topology/topology.hpp"

#include <string>
#include <vector>

namespace shardsim::runtime {

// Throws RuntimeError when `instance` does not have the job's ranks per node (checked before any
// rank starts, and again where the prediction is made).
void check_prediction_shape(const InstanceType& instance, int ranks_per_node);

// One prediction per row, in order. Throws RuntimeError when the instance does not have the job's
// ranks per node.
std::vector<BenchPrediction> predict_bench(const BenchContext& context, const std::vector<BenchRow>& rows, const InstanceType& instance,
                                           const CollectiveLibrary& library);

// "# ..." lines for the table, one per row: the size and measured time, then where present
// shardsim's prediction (event simulation and NCCL's formula for the modelled choice, with its
// algorithm, protocol and channels), NCCL's own estimate and NCCL's own logged choice. Empty when
// there is none of them (Gloo without --predict).
std::string nccl_view_table(const std::vector<BenchRow>& rows, const std::vector<BenchPrediction>& predictions,
                            const std::string& library, const std::string& instance);

}  // namespace shardsim::runtime
