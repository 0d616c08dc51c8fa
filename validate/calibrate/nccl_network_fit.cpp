// Least-squares fit of NCCL's plugin latency and inter-node bandwidth efficiency (see nccl_network_fit.hpp).
#include "validate/calibrate/nccl_network_fit.hpp"

#include "sim/input/input_error.hpp"
#include "sim/nccl/nccl_system.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace shardsim::validate {
namespace {

// Where the search looks: latency in us, efficiency as a fraction of the graph's GB/s.
constexpr double kMaxLatencyUs = 500, kLatencyGridStepUs = 10;
constexpr double kMinEfficiency = 0.05, kMaxEfficiency = 1.5, kEfficiencyGridStep = 0.05;
constexpr double kFinalLatencyStepUs = 1e-4, kFinalEfficiencyStep = 1e-7;

struct Objective {
  const NcclVersion& version;
  std::vector<NcclSystem> systems;  // per sample, at the instance file's values
  const std::vector<NcclFitSample>& samples;

  double operator()(const NcclNetworkParams& p) const {
    double sum = 0;
    for (std::size_t i = 0; i < samples.size(); ++i) {
      const double predicted = nccl_select(version, with_network(systems[i], p), samples[i].kind, samples[i].bytes).time_s;
      const double r = std::log(predicted / samples[i].measured_s);
      sum += r * r;
    }
    return sum;
  }
};

NcclNetworkParams clamp(NcclNetworkParams p) {
  p.plugin_latency_us = std::clamp(p.plugin_latency_us, 0.0, kMaxLatencyUs);
  p.inter_bw_efficiency = std::clamp(p.inter_bw_efficiency, kMinEfficiency, kMaxEfficiency);
  return p;
}

NcclNetworkParams grid_start(const Objective& f) {
  NcclNetworkParams best;
  double best_value = std::numeric_limits<double>::infinity();
  for (double lat = 0; lat <= kMaxLatencyUs + 1e-9; lat += kLatencyGridStepUs) {
    for (double eff = kMinEfficiency; eff <= kMaxEfficiency + 1e-9; eff += kEfficiencyGridStep) {
      const double value = f({lat, eff});
      if (value < best_value) best_value = value, best = {lat, eff};
    }
  }
  return best;
}

// Compass search: try the eight neighbours at the current steps, move to the best, halve when none improves.
NcclNetworkParams pattern_search(const Objective& f, NcclNetworkParams p) {
  double step_lat = kLatencyGridStepUs, step_eff = kEfficiencyGridStep;
  double value = f(p);
  while (step_lat > kFinalLatencyStepUs || step_eff > kFinalEfficiencyStep) {
    NcclNetworkParams best = p;
    double best_value = value;
    for (int dl = -1; dl <= 1; ++dl) {
      for (int de = -1; de <= 1; ++de) {
        if (dl == 0 && de == 0) continue;
        const NcclNetworkParams q = clamp({p.plugin_latency_us + dl * step_lat, p.inter_bw_efficiency + de * step_eff});
        const double v = f(q);
        if (v < best_value) best_value = v, best = q;
      }
    }
    if (best_value < value) p = best, value = best_value;
    else step_lat /= 2, step_eff /= 2;
  }
  return p;
}

}  // namespace

std::vector<NcclFitSample> nccl_fit_samples(const std::vector<NcclTestsLog>& logs) {
  std::vector<NcclFitSample> samples;
  for (const auto& log : logs)
    for (const auto& row : log.rows)
      samples.push_back({row.origin, log.kind, log.nodes, log.ranks_per_node, row.bytes, row.out_of_place_time_us * 1e-6});
  return samples;
}

NcclSystem with_network(NcclSystem system, const NcclNetworkParams& params) {
  system.plugin_latency_us = params.plugin_latency_us;
  system.earlier_plugin_latencies.clear();  // the fitted latency stands for every release
  if (system.nodes > 1) {
    for (NcclGraph* g : {&system.ring, &system.tree}) {
      g->bw_intra_GBps *= params.inter_bw_efficiency;
      g->bw_inter_GBps *= params.inter_bw_efficiency;
    }
  }
  return system;
}

std::vector<NcclChoice> nccl_predictions(const NcclVersion& version, const InstanceType& instance,
                                         const std::vector<NcclFitSample>& samples, const NcclNetworkParams& params) {
  std::vector<NcclChoice> out;
  for (const auto& s : samples)
    out.push_back(nccl_select(version, with_network(nccl_system(instance, s.nodes, s.ranks_per_node), params), s.kind, s.bytes));
  return out;
}

NcclNetworkFit fit_nccl_network(const NcclVersion& version, const InstanceType& instance, const std::vector<NcclFitSample>& samples) {
  Objective f{version, {}, samples};
  bool spans_nodes = false;
  for (const auto& s : samples) {
    try {
      f.systems.push_back(nccl_system(instance, s.nodes, s.ranks_per_node));
    } catch (const InputError& e) {
      throw InputError(fmt::format("{}: {}", s.origin, e.what()));
    }
    spans_nodes = spans_nodes || s.nodes > 1;
  }
  if (!spans_nodes)
    throw InputError("no nccl-tests row spans more than one node: the network latency and bandwidth are not identified");
  NcclNetworkFit fit;
  fit.params = pattern_search(f, grid_start(f));
  fit.choices = nccl_predictions(version, instance, samples, fit.params);
  std::vector<double> abs_errors;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    fit.error_pct.push_back((fit.choices[i].time_s - samples[i].measured_s) / samples[i].measured_s * 100);
    abs_errors.push_back(std::abs(fit.error_pct.back()));
  }
  fit.summary = summarise_errors(abs_errors);
  fit.rms_log_error = std::sqrt(f(fit.params) / static_cast<double>(samples.size()));
  return fit;
}

}  // namespace shardsim::validate
