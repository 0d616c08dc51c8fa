// The calibrated "nccl" block (see nccl_calibrated_block.hpp).
#include "validate/calibrate/nccl_calibrated_block.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace shardsim::validate {

std::string nccl_fit_source(const NcclNetworkFit& fit, const std::string& version, const std::vector<std::string>& logs) {
  return fmt::format("fitted by shardsim-calibrate to NCCL {}'s formula (selected algorithm and protocol per row) from "
                     "nccl-tests logs {} ({} rows; |error| median {:.2f}%, max {:.2f}%, rms log error {:.4f}): plugin "
                     "latency {:.3f} us, inter-node bandwidth efficiency {:.4f}; the latency is what makes NCCL's formula "
                     "match the hardware, not the plugin's tuning knob",
                     version, fmt::join(logs, ", "), fit.error_pct.size(), fit.summary.median_abs_error_pct,
                     fit.summary.max_abs_error_pct, fit.rms_log_error, fit.params.plugin_latency_us,
                     fit.params.inter_bw_efficiency);
}

void apply_nccl_network_fit(nlohmann::ordered_json& doc, const NcclNetworkFit& fit, const std::string& fit_source) {
  auto& nccl = doc["nccl"];
  auto& plugin = nccl["net_plugin"];
  plugin["source"] = fmt::format("latency_us {}; was {} us: {}", fit_source, plugin.value("latency_us", 0.0),
                                 plugin.value("source", std::string()));
  plugin["latency_us"] = fit.params.plugin_latency_us;
  plugin.erase("earlier_latencies");  // the fitted latency is what every NCCL release sees on this hardware
  for (const char* graph : {"multi_node_ring", "multi_node_tree"}) {
    auto& g = nccl[graph];
    const double intra = g.value("bw_intra_GBps", 0.0), inter = g.value("bw_inter_GBps", 0.0);
    g["bw_intra_GBps"] = intra * fit.params.inter_bw_efficiency;
    g["bw_inter_GBps"] = inter * fit.params.inter_bw_efficiency;
    g["source"] = fmt::format("bandwidths x {:.6g} ({}); was bw_intra {} bw_inter {} GB/s: {}", fit.params.inter_bw_efficiency,
                              fit_source, intra, inter, g.value("source", std::string()));
  }
  nccl["source"] = fmt::format("network inputs calibrated ({}); {}", fit_source, nccl.value("source", std::string()));
}

}  // namespace shardsim::validate
