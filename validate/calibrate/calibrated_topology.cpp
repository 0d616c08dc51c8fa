#include "validate/calibrate/calibrated_topology.hpp"

#include <fmt/format.h>

#include <fstream>

namespace shardsim::validate {
namespace {

struct RouteLatency {
  int intra_links = 0;  // traversals of the intra-bounding class
  int inter_links = 0;  // traversals of the inter-bounding class
  double other_s = 0;   // latency of every other link on the route
};

RouteLatency split(const InstanceType& inst, const LinkClassRoles& roles, const std::vector<const NodeRoute*>& parts) {
  RouteLatency r;
  for (const NodeRoute* part : parts) {
    for (int l : part->links) {
      const Link& link = inst.links[l];
      if (link.link_class == roles.intra_class) ++r.intra_links;
      else if (link.link_class == roles.inter_class) ++r.inter_links;
      else r.other_s += link.latency_s;
    }
  }
  return r;
}

int bounding_count(const InstanceType& inst, const NodeRoute& route, int link_class) {
  for (int l : route.links)
    if (inst.links[l].link_class == link_class) return inst.links[l].count;
  return 1;
}

// Plain decimal numbers in the data file's units: exact to 9 significant digits.
std::string rate_text(double Bps) { return fmt::format("{:.9g}Bps", Bps); }
std::string time_text(double s) { return fmt::format("{:.9g}us", s * 1e6); }

}  // namespace

namespace {

// The link classes bounding intra- and inter-node hops, and the reduction rate, from `fit`.
void apply_link_fit(nlohmann::ordered_json& doc, std::vector<std::string>& notes, const InstanceType& base,
                    const LinkClassRoles& roles, const StepModelFit& fit, const std::string& calibration_source) {
  const RouteLatency intra = split(base, roles, {&base.gpu_route[0][1]});
  // An inter-node hop: up from local rank 0 to the fabric, down to local rank 1 of another node.
  const RouteLatency inter = split(base, roles, {&base.up[0], &base.down[1]});
  const auto& intra_class = base.link_classes[roles.intra_class];
  const auto& inter_class = base.link_classes[roles.inter_class];
  double intra_latency = intra_class.latency_s;
  double inter_latency = inter_class.latency_s;
  if (fit.identified[0] && intra.intra_links > 0) {
    intra_latency = (fit.alpha_intra_s - intra.other_s) / intra.intra_links;
    if (intra_latency < 0) {
      notes.push_back(fmt::format("fitted intra-node hop latency {:.3f} us is below the fixed links' {:.3f} us; "
                                      "'{}' latency set to 0", fit.alpha_intra_s * 1e6, intra.other_s * 1e6, intra_class.name));
      intra_latency = 0;
    }
  }
  if (fit.identified[1] && inter.inter_links > 0) {
    inter_latency = (fit.alpha_inter_s - inter.other_s - inter.intra_links * intra_latency) / inter.inter_links;
    if (inter_latency < 0) {
      notes.push_back(fmt::format("fitted inter-node hop latency {:.3f} us is below what its other links already add; "
                                      "'{}' latency set to 0", fit.alpha_inter_s * 1e6, inter_class.name));
      inter_latency = 0;
    }
  }
  auto apply = [&](const LinkClass& cls, bool bandwidth_known, double capacity_Bps, int count, double latency_s) {
    auto& entry = doc["link_classes"][cls.name];
    entry["latency"] = time_text(latency_s);
    if (bandwidth_known) {
      entry["bandwidth"] = rate_text(capacity_Bps / count);
      entry["efficiency"] = 1;
    }
    entry["source"] = fmt::format("calibrated ({}); was bandwidth {} x efficiency {}, latency {} us: {}", calibration_source,
                                  rate_text(cls.bandwidth_Bps), cls.efficiency, cls.latency_s * 1e6, cls.source);
  };
  apply(intra_class, fit.identified[2], fit.intra_Bps, bounding_count(base, base.gpu_route[0][1], roles.intra_class), intra_latency);
  apply(inter_class, fit.identified[3], fit.inter_Bps, bounding_count(base, base.up[0], roles.inter_class), inter_latency);
  if (fit.identified[4]) {
    auto& gpu = doc["gpu"];
    if (fit.reduce_Bps > 0) gpu["reduce_bandwidth"] = rate_text(fit.reduce_Bps);
    else gpu.erase("reduce_bandwidth");  // measured as free
    gpu["source"] = fmt::format("reduce_bandwidth calibrated ({}); {}", calibration_source,
                                gpu.value("source", std::string()));
  }
}

}  // namespace

CalibratedTopology calibrated_topology(const InstanceType& base, const LinkClassRoles& roles, const StepModelFit& fit,
                                       const std::string& calibration_source, const std::optional<ComputeFit>& compute) {
  CalibratedTopology out;
  // Parsed again in file order (the loaded document sorts keys), so the output diffs cleanly.
  std::ifstream file(base.file);
  out.document = nlohmann::ordered_json::parse(file);
  auto& doc = out.document;
  doc["name"] = base.name + "-calibrated";
  doc["description"] = fmt::format("{} (calibrated: {})", base.description, calibration_source);
  // Only GEMM rows: no link class was fitted (roles are unset).
  if (roles.intra_class >= 0 && roles.inter_class >= 0) apply_link_fit(doc, out.notes, base, roles, fit, calibration_source);

  if (compute) {
    auto& gpu = doc["gpu"];
    gpu["gemm_peak_fraction"] = compute->efficiency;
    gpu["source"] = fmt::format("gemm_peak_fraction calibrated ({}: GEMMs at {:.4g} TFLOP/s, launch overhead {:.3g} us; was {}); {}",
                                calibration_source, compute->achieved_flops_per_s / 1e12, compute->launch_overhead_s * 1e6,
                                base.gpu.gemm_peak_fraction, gpu.value("source", std::string()));
  }
  return out;
}

}  // namespace shardsim::validate
