// Text and JSON views of an NCCL network fit (see nccl_fit_report.hpp).
#include "validate/calibrate/nccl_fit_report.hpp"

#include <fmt/format.h>

namespace shardsim::validate {

void print_nccl_fit(const NcclNetworkFit& fit, const std::vector<NcclFitSample>& samples, const InstanceType& base,
                    const std::string& version) {
  const double was_us = base.nccl ? base.nccl->plugin_latency_us : 0;
  fmt::print("# NCCL {} network fit of {} from {} nccl-tests rows\n", version, base.name, samples.size());
  fmt::print("plugin latency (latencyInter): {:.2f} us (the instance file declares {:.2f} us)\n", fit.params.plugin_latency_us, was_us);
  fmt::print("inter-node bandwidth efficiency: {:.4f} x the multi-node graphs' per-channel GB/s\n", fit.params.inter_bw_efficiency);
  fmt::print("note: the fitted plugin latency is what makes NCCL's formula match the hardware, not the tuning knob the "
             "network plugin declares to NCCL ({:.2f} us here); the calibrated file uses it for NCCL's choice as well as its time, "
             "so where the real choice hinges on the declared value the calibrated model may choose differently\n",
             was_us);
  fmt::print("NCCL fit quality: median |error| {:.2f}%, max {:.2f}%, rms log error {:.4f}\n", fit.summary.median_abs_error_pct,
             fit.summary.max_abs_error_pct, fit.rms_log_error);
  fmt::print("#{:>14} {:>5} {:>4} {:>12} {:>6} {:>7} {:>3} {:>13} {:>13} {:>9}  {}\n", "op", "nodes", "rpn", "bytes", "algo", "proto",
             "ch", "measured(us)", "fitted(us)", "error(%)", "row");
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const auto& s = samples[i];
    const auto& c = fit.choices[i];
    fmt::print("{:>15} {:>5} {:>4} {:>12.0f} {:>6} {:>7} {:>3} {:>13.2f} {:>13.2f} {:>+9.2f}  {}\n", to_string(s.kind), s.nodes,
               s.ranks_per_node, s.bytes, to_string(c.algorithm), to_string(c.protocol), c.channels, s.measured_s * 1e6,
               c.time_s * 1e6, fit.error_pct[i], s.origin);
  }
}

nlohmann::ordered_json nccl_fit_json(const NcclNetworkFit& fit, const std::vector<NcclFitSample>& samples,
                                     const std::string& version, const std::vector<std::string>& logs) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const auto& s = samples[i];
    const auto& c = fit.choices[i];
    rows.push_back({{"row", s.origin}, {"op", to_string(s.kind)}, {"nodes", s.nodes}, {"ranks_per_node", s.ranks_per_node},
                    {"bytes", s.bytes}, {"algorithm", to_string(c.algorithm)}, {"protocol", to_string(c.protocol)},
                    {"channels", c.channels}, {"measured_s", s.measured_s}, {"fitted_s", c.time_s}, {"error_pct", fit.error_pct[i]}});
  }
  return {{"nccl_version", version},
          {"logs", logs},
          {"plugin_latency_us", fit.params.plugin_latency_us},
          {"inter_bw_efficiency", fit.params.inter_bw_efficiency},
          {"note", "the plugin latency is what makes NCCL's formula match the hardware, not NCCL's tuning knob"},
          {"median_abs_error_pct", fit.summary.median_abs_error_pct},
          {"max_abs_error_pct", fit.summary.max_abs_error_pct},
          {"rms_log_error", fit.rms_log_error},
          {"rows", rows}};
}

}  // namespace shardsim::validate
