// ncclTopoTuneModel and ncclTopoGetAlgoTime (see nccl_cost_model.hpp).
#include "sim/nccl/nccl_cost_model.hpp"

#include "sim/nccl/nccl_eligibility.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace shardsim {
namespace {

using A = NcclAlgorithm;
using P = NcclProtocol;

int log2i(std::uint64_t n) {  // NCCL's log2i: floor(log2(n)), -1 for 0
  int l = -1;
  while (n) {
    n >>= 1;
    ++l;
  }
  return l;
}

int node_column(int nodes) { return nodes == 1 ? 0 : nodes == 2 ? 1 : 2; }

int ring_steps(CollectiveKind kind, int ranks) { return kind == CollectiveKind::all_reduce ? 2 * (ranks - 1) : ranks - 1; }

int ring_inter_steps(const NcclVersion& v, CollectiveKind kind, int nodes) {
  if (nodes == 1) return 0;
  if (kind != CollectiveKind::all_reduce) return nodes - 1;
  return v.all_reduce_inter_steps_2n ? 2 * nodes : 2 * (nodes - 1);
}

const NcclGraph& graph_of(const NcclSystem& s, A a) {
  // PAT runs on the tree's graph: init.cc's graphs[] = { tree, ring, collnet direct, collnet chain,
  // nvls, nvls, tree } (v2.28.9), the last entry NCCL_ALGO_PAT's.
  if (a == A::tree || a == A::pat) return s.tree;
  if (a == A::nvls || a == A::nvls_tree) return s.nvls;
  return s.ring;
}

// llMaxBws: one node by GPU generation; several by CPU (AMD row 1 = sm80's, Intel and any other row 0 = sm70's).
double ll_max_bw(const NcclVersion& v, const NcclSystem& s) {
  const int row = s.nodes == 1 ? s.compute_capability : s.cpu_vendor == NcclCpuVendor::amd ? 80 : 70;
  return v.generation(row).ll_max_bw_GBps[node_column(s.nodes)];
}

double raw_busbw(const NcclVersion& v, const NcclSystem& s, CollectiveKind kind, A a) {
  const NcclGraph& g = graph_of(s, a);
  double bw = s.nodes <= 2 ? g.bw_intra_GBps : g.bw_inter_GBps;
  if ((a == A::nvls || a == A::nvls_tree) && !v.nvls_bus_ratio) {
    const double ppn = s.ranks_per_node;
    double intra = g.bw_intra_GBps * v.generation(s.compute_capability).nvls_efficiency * (g.channels - 1) / g.channels;
    intra *= kind == CollectiveKind::all_reduce ? 2.0 : (ppn - 1) / ppn;
    const double inter = g.bw_inter_GBps * ((s.nodes <= 2 && a == A::nvls_tree) ? 2.0 : 1.0);
    const double cap = a == A::nvls_tree ? v.generation(s.compute_capability).nvls_tree_per_channel_GBps[node_column(s.nodes)]
                                         : std::numeric_limits<double>::infinity();
    bw = std::min({intra, inter, cap});
  }
  return g.channels * bw;
}

// The model refinements of ncclTopoTuneModel: protocol efficiency and per-channel caps.
double refined_busbw(const NcclVersion& v, const NcclSystem& s, CollectiveKind kind, A a, P p, double busbw) {
  const NcclGenerationConstants& gen = v.generation(s.compute_capability);
  const NcclProtocolEfficiency& e = v.efficiency;
  const int col = node_column(s.nodes);
  const double nch = graph_of(s, a).channels;
  if (v.busbw_cap && v.busbw_cap->first == s.compute_capability) busbw = std::min(busbw, v.busbw_cap->second);
  if (a == A::ring && p == P::ll) {
    const bool gather = s.nodes == 1 && kind != CollectiveKind::all_reduce;
    busbw = std::min(ll_max_bw(v, s), (gather ? e.ring_ll_single_node_gather : e.ring_ll) * busbw);
  }
  if (a == A::ring && p == P::ll128) {
    const double per_channel = v.ring_ll128_by_collective_GBps ? (*v.ring_ll128_by_collective_GBps)[static_cast<int>(kind)]
                                                               : gen.ring_ll128_per_channel_GBps[col];
    const double efficiency = s.ranks_per_node < 2 ? e.ring_ll128_one_gpu_per_node : e.ring_ll128;
    busbw = std::min(efficiency * busbw, nch * per_channel);
  }
  if (a == A::tree && kind == CollectiveKind::all_reduce) busbw = std::min(e.tree_all_reduce * busbw, nch * gen.tree_per_channel_GBps[col]);
  if (a == A::tree && p == P::ll) busbw = std::min(busbw / e.tree_ll_divisor, ll_max_bw(v, s));
  if (a == A::tree && p == P::ll128)
    busbw = std::min(busbw * (s.nodes == 1 ? e.tree_ll128_single_node : e.tree_ll128_multi_node), nch * gen.tree_ll128_per_channel_GBps[col]);
  if (a == A::tree && s.ranks_per_node == 1) busbw *= e.one_gpu_per_node_tree;
  if (a == A::pat) busbw *= e.pat;
  return busbw;
}

double bus_to_alg_ratio(const NcclVersion& v, const NcclSystem& s, CollectiveKind kind, A a) {
  if (kind != CollectiveKind::all_reduce && a != A::ring) return 1.0;  // already an algorithm bandwidth
  if (v.nvls_bus_ratio && a == A::nvls) return v.nvls_bus_ratio->nvls_bus_to_alg;
  if (v.nvls_bus_ratio && a == A::nvls_tree) return v.nvls_bus_ratio->nvls_tree_factor * s.nodes / (2.0 * (s.nodes - 1));
  if (a == A::ring || a == A::nvls || a == A::nvls_tree) return static_cast<double>(s.ranks()) / ring_steps(kind, s.ranks());
  return v.efficiency.tree_bus_to_alg;
}

struct StepLatencies {
  double intra_us = 0;
  double inter_us = 0;
};

StepLatencies step_latencies(const NcclVersion& v, const NcclSystem& s, A a, P p) {
  const auto& hw = v.hw_latency_us;
  StepLatencies l;
  l.intra_us = hw[nccl_index(s.intra_hardware)][nccl_index(a)][nccl_index(p)];
  if (s.nodes > 1 && p == P::ll) l.intra_us *= v.ll_multi_node_intra_factor;
  const A net_row = v.one_gpu_per_node_net_tree_latency && s.ranks_per_node == 1 ? A::tree : a;
  const double table = hw[nccl_index(NcclHardware::net)][nccl_index(net_row)][nccl_index(p)];
  if (v.nvls_bus_ratio && (a == A::nvls || a == A::nvls_tree)) {
    l.inter_us = table;  // 2.18 prices NVLS's node steps by the table alone
    return l;
  }
  const double plugin = s.declared_latency_us(v);
  switch (v.plugin_latency) {
    case NcclPluginLatencyRule::ignored: l.inter_us = table; break;
    case NcclPluginLatencyRule::replaces: l.inter_us = plugin > 0 ? plugin : table; break;
    case NcclPluginLatencyRule::adds: l.inter_us = table + plugin; break;
  }
  if (p == P::simple && v.simple_flush_adds_plugin_latency && v.plugin_latency != NcclPluginLatencyRule::ignored) l.inter_us += plugin;
  return l;
}

double net_overhead_us(const NcclVersion& v, const NcclSystem& s, P p) {
  if (s.nodes == 1) return 0;
  const double base = s.cpu_vendor == NcclCpuVendor::intel ? v.net_overhead_intel_us
                      : s.cpu_vendor == NcclCpuVendor::amd ? v.net_overhead_amd_us
                                                           : v.net_overhead_other_us;
  return base * (p == P::simple ? v.net_overhead_simple_multiplier : 1.0);
}

double latency_us(const NcclVersion& v, const NcclSystem& s, CollectiveKind kind, A a, P p) {
  const StepLatencies l = step_latencies(v, s, a, p);
  const double base = v.base_latency_us[nccl_index(a)][nccl_index(p)];
  const int log_nodes = log2i(static_cast<std::uint64_t>(s.nodes));
  switch (a) {
    case A::ring: {
      const NcclRingShape r = nccl_ring_shape(v, s, kind, p);
      return r.base_latency_us + (r.steps - r.inter_steps) * r.intra_step_latency_us + r.inter_steps * r.inter_step_latency_us;
    }
    case A::tree: return base + 2 * ((s.ranks_per_node - 1) * l.intra_us + log_nodes * l.inter_us);
    case A::nvls: return base + l.intra_us + (s.nodes > 1 ? l.inter_us : 0.0);
    case A::nvls_tree:
      if (v.nvls_bus_ratio) return base + 2 * (s.nodes - 1) * l.inter_us;  // 2.18: linear in the nodes
      return base + l.intra_us + 2 * log_nodes * l.inter_us;
    case A::pat: return base + log_nodes * (l.inter_us / v.pat_inter_divisor) + s.ranks() * v.pat_per_rank_us;
    case A::collnet_direct:
    case A::collnet_chain: return base;  // never eligible (no CollNet plugin on EFA)
  }
  return base;
}

}  // namespace

NcclRingShape nccl_ring_shape(const NcclVersion& v, const NcclSystem& s, CollectiveKind kind, NcclProtocol p) {
  const StepLatencies l = step_latencies(v, s, A::ring, p);
  NcclRingShape r;
  r.base_latency_us = v.base_latency_us[nccl_index(A::ring)][nccl_index(p)];
  r.intra_step_latency_us = std::max(l.intra_us, net_overhead_us(v, s, p));
  r.inter_step_latency_us = l.inter_us;
  r.steps = ring_steps(kind, s.ranks());
  r.inter_steps = ring_inter_steps(v, kind, s.nodes);
  const double raw = raw_busbw(v, s, kind, A::ring);
  r.bandwidth_efficiency = raw > 0 ? refined_busbw(v, s, kind, A::ring, p, raw) / raw : 0;
  return r;
}

NcclRingShape nccl_step_shape(const NcclVersion& v, const NcclSystem& s, CollectiveKind kind, NcclAlgorithm a,
                              NcclProtocol p) {
  if (a == A::ring) return nccl_ring_shape(v, s, kind, p);
  const StepLatencies l = step_latencies(v, s, a, p);
  NcclRingShape r;
  r.base_latency_us = v.base_latency_us[nccl_index(a)][nccl_index(p)];
  r.intra_step_latency_us = l.intra_us;
  r.inter_step_latency_us = l.inter_us;
  if (a == A::pat && v.pat_inter_divisor > 0) {
    r.inter_step_latency_us = l.inter_us / v.pat_inter_divisor;
    r.base_latency_us += s.ranks() * v.pat_per_rank_us;
  }
  const double raw = raw_busbw(v, s, kind, a);
  r.bandwidth_efficiency = raw > 0 ? refined_busbw(v, s, kind, a, p, raw) / raw : 0;
  return r;
}

NcclCostTable nccl_tune_model(const NcclVersion& v, const NcclSystem& s, CollectiveKind kind) {
  NcclCostTable table;  // NcclCost initialises its own members (and clang 14 crashes on `table{}` here)
  for (A a : kAllNcclAlgorithms) {
    for (P p : kAllNcclProtocols) {
      NcclCost& c = table[nccl_index(a)][nccl_index(p)];
      c.channels = graph_of(s, a).channels;
      c.ineligible = nccl_ineligible_reason(v, s, kind, a, p);
      if (!c.ineligible.empty()) continue;
      c.busbw_GBps = refined_busbw(v, s, kind, a, p, raw_busbw(v, s, kind, a));
      c.bandwidth_GBps = c.busbw_GBps * bus_to_alg_ratio(v, s, kind, a);
      c.latency_us = latency_us(v, s, kind, a, p);
      if (c.bandwidth_GBps <= 0) c.ineligible = "its modelled bandwidth is 0 (a cap of 0 in the version's tables)";
    }
  }
  return table;
}

NcclAlgoTime nccl_algo_time(const NcclVersion& v, const NcclSystem& s, CollectiveKind kind, NcclAlgorithm a, NcclProtocol p,
                            const NcclCost& cost, double bytes) {
  NcclAlgoTime t{cost.latency_us, cost.bandwidth_GBps, 0};
  const auto nbytes = static_cast<std::uint64_t>(bytes);
  if (a == A::tree && kind == CollectiveKind::all_reduce) {
    const int i = log2i(nbytes >> 6);
    const auto& factors = v.tree_correction[nccl_index(p)];
    if (i >= 0 && i < static_cast<int>(factors.size())) t.bandwidth_GBps *= factors[i];
  }
  if (a == A::ring && p == P::simple && s.nodes > 1 && kind == CollectiveKind::all_reduce) {
    // 2.18 on divides by comm->nChannels, the communicator's channels, not the graph's.
    const double per = v.plateau_condition == NcclPlateauCondition::bytes_per_rank
                           ? bytes / s.ranks()
                           : bytes / (static_cast<double>(v.comm_channels(cost.channels)) * s.ranks());
    if (per >= v.plateau_min_bytes) t.latency_us *= s.compute_capability < 80 ? v.plateau_factor_below_sm80 : v.plateau_factor_sm80_up;
  }
  constexpr double kBytesPerGBpsMicrosecond = 1e3;  // GB/s = 1e3 bytes per microsecond
  t.time_us = t.latency_us + bytes / (kBytesPerGBpsMicrosecond * t.bandwidth_GBps);
  return t;
}

}  // namespace shardsim
