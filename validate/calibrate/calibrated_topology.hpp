// Writes a fit back into a topology file the simulator loads. Route latencies are sums over links,
// so the two link classes that bound intra- and inter-node hops get the per-link latency that makes
// the routes add up to the fitted hop latencies (every other link keeps its latency); their
// bandwidth becomes the fitted per-link capacity (efficiency 1, since the fit measured what is
// achievable); the reduction rate becomes the GPU's `reduce_bandwidth` (absent when measured as
// free); a compute fit, when given, becomes the GPU's `gemm_peak_fraction`. Unidentified values
// keep the base file's. Everything else is copied unchanged, and
// each changed class's `source` names the calibration.
#pragma once

#include "validate/calibrate/compute_fit.hpp"
#include "validate/calibrate/fit.hpp"
#include "validate/calibrate/step_model.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace shardsim::validate {

struct CalibratedTopology {
  nlohmann::ordered_json document;
  std::vector<std::string> notes;  // values that could not be applied as fitted, and why
};

CalibratedTopology calibrated_topology(const InstanceType& base, const LinkClassRoles& roles, const StepModelFit& fit,
                                       const std::string& calibration_source,
                                       const std::optional<ComputeFit>& compute = std::nullopt);

}  // namespace shardsim::validate
