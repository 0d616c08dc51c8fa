// Fits the two per-instance network inputs of NCCL's cost model to nccl-tests measurements: the
// network plugin's latency (`nccl.net_plugin.latency_us`, NCCL's graph->latencyInter) and an
// efficiency that scales every per-channel bandwidth of the multi-node graphs (ring and tree
// bwInter, and the bwIntra NCCL derives from it: equal on the ring, up to 2x on the tree). For each
// row the model time is NCCL's own selected (algorithm, protocol) time (nccl_select) on the
// communicator's NcclSystem with the candidate values; the fit minimises the squared log error
// (relative error, symmetric) by a coarse grid then a shrinking pattern search, since the
// selection makes the time piecewise in both unknowns. The fitted latency is what makes NCCL's
// formula match the hardware, not the tuning knob aws-ofi-nccl declares to bias NCCL's choice.
// Single-node rows take part in the report but identify nothing (no network on their path); the
// NVLS graph keeps its bandwidths.
#pragma once

#include "sim/nccl/nccl_select.hpp"
#include "sim/nccl/nccl_version.hpp"
#include "sim/topology/topology.hpp"
#include "validate/calibrate/error_summary.hpp"
#include "validate/calibrate/nccl_tests_log.hpp"

#include <string>
#include <vector>

namespace shardsim::validate {

struct NcclNetworkParams {
  double plugin_latency_us = 0;
  double inter_bw_efficiency = 1;  // multiplies the multi-node graphs' per-channel GB/s
};

// One measured call: out-of-place time of one nccl-tests row.
struct NcclFitSample {
  std::string origin;  // "file.log:42"
  CollectiveKind kind = CollectiveKind::all_reduce;
  int nodes = 0;
  int ranks_per_node = 0;
  double bytes = 0;
  double measured_s = 0;
};

struct NcclNetworkFit {
  NcclNetworkParams params;
  std::vector<NcclChoice> choices;     // per sample, at the fitted values
  std::vector<double> error_pct;       // (fitted - measured) / measured, per sample
  ErrorSummary summary;
  double rms_log_error = 0;
};

std::vector<NcclFitSample> nccl_fit_samples(const std::vector<NcclTestsLog>& logs);

// `system` with the candidate plugin latency and, when it spans nodes, its graphs' bandwidths scaled.
NcclSystem with_network(NcclSystem system, const NcclNetworkParams& params);

// NCCL's predicted time for every sample at `params`.
std::vector<NcclChoice> nccl_predictions(const NcclVersion& version, const InstanceType& instance,
                                         const std::vector<NcclFitSample>& samples, const NcclNetworkParams& params);

// Throws InputError when no sample spans nodes, or a sample's shape does not fit the instance.
NcclNetworkFit fit_nccl_network(const NcclVersion& version, const InstanceType& instance, const std::vector<NcclFitSample>& samples);

}  // namespace shardsim::validate
