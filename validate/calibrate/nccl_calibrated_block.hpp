// Writes an NCCL network fit into a topology document's "nccl" block: the net plugin's
// `latency_us` becomes the fitted latency, and the multi-node ring and tree graphs' per-channel
// bandwidths (bw_intra_GBps, bw_inter_GBps) are multiplied by the fitted efficiency. Each changed
// entry's `source`, and the block's, says it was fitted, from which logs, with which residuals,
// and what it was before; everything else is copied unchanged.
#pragma once

#include "validate/calibrate/nccl_network_fit.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace shardsim::validate {

// `fit_source`: e.g. "fitted by shardsim-calibrate to NCCL 2.28's formula from a.log, b.log (40 rows, ...)".
void apply_nccl_network_fit(nlohmann::ordered_json& doc, const NcclNetworkFit& fit, const std::string& fit_source);

// The source text for `fit` on `logs` (file names) under NCCL `version`.
std::string nccl_fit_source(const NcclNetworkFit& fit, const std::string& version, const std::vector<std::string>& logs);

}  // namespace shardsim::validate
