// How shardsim-calibrate shows an NCCL network fit: the fitted values, the per-row table
// (measured, NCCL's prediction at the fitted values with its algorithm/protocol/channels, error)
// and the median/max error, as text on stdout and as the "nccl" object of the --report JSON.
#pragma once

#include "validate/calibrate/nccl_network_fit.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace shardsim::validate {

void print_nccl_fit(const NcclNetworkFit& fit, const std::vector<NcclFitSample>& samples, const InstanceType& base,
                    const std::string& version);

nlohmann::ordered_json nccl_fit_json(const NcclNetworkFit& fit, const std::vector<NcclFitSample>& samples,
                                     const std::string& version, const std::vector<std::string>& logs);

}  // namespace shardsim::validate
