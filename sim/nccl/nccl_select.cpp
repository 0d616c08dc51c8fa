// topoGetAlgoInfo's arg-min and channel reduction (see nccl_select.hpp).
#include "sim/nccl/nccl_select.hpp"

#include "sim/input/input_error.hpp"

#include <fmt/format.h>

namespace shardsim {
namespace {

constexpr double kMicrosecond_s = 1e-6;

NcclChoice make_choice(const NcclVersion& v, const NcclSystem& s, CollectiveKind kind, NcclAlgorithm a, NcclProtocol p,
                       const NcclCost& cost, double bytes) {
  const NcclAlgoTime t = nccl_algo_time(v, s, kind, a, p, cost, bytes);
  return {a, p, nccl_channels(v, s, a, p, cost.channels, bytes), t.latency_us, t.bandwidth_GBps, cost.busbw_GBps,
          t.time_us * kMicrosecond_s};
}

}  // namespace

int nccl_channels(const NcclVersion& v, const NcclSystem& s, NcclAlgorithm a, NcclProtocol p, int graph_channels, double bytes) {
  const NcclChunking& c = v.chunking;
  // NVLS runs on its own channels, never reduced for size (src/enqueue.cc topoGetAlgoInfo).
  // 2.18 runs comm->nvlsChannels (NCCL_NVLS_NCHANNELS) instead.
  if (a == NcclAlgorithm::nvls || a == NcclAlgorithm::nvls_tree)
    return v.nvls_bus_ratio ? v.nvls_bus_ratio->run_channels : graph_channels;
  double threshold = c.thread_threshold_bytes[nccl_index(p)];
  if (a == NcclAlgorithm::ring && p == NcclProtocol::ll && c.ring_ll_threshold_times_ranks) threshold *= s.ranks();
  double threads = c.max_threads[nccl_index(p)];
  if (a == NcclAlgorithm::ring && p == NcclProtocol::simple && s.ring.bw_intra_GBps * s.ring.channels <= c.low_bw_ring_at_most_GBps)
    threads = c.low_bw_ring_simple_threads;
  if (a == NcclAlgorithm::pat && c.pat_max_threads) threads = *c.pat_max_threads;
  int nc = v.comm_channels(graph_channels);
  while (nc > 1 && bytes < nc * threads * threshold) --nc;
  return nc;
}

std::vector<NcclChoice> nccl_candidates(const NcclVersion& v, const NcclSystem& s, CollectiveKind kind, double bytes) {
  if (!(bytes > 0)) throw InputError(fmt::format("collective size must be positive, got {} bytes", bytes));
  const NcclCostTable table = nccl_tune_model(v, s, kind);
  std::vector<NcclChoice> out;
  for (NcclAlgorithm a : kAllNcclAlgorithms)
    for (NcclProtocol p : kAllNcclProtocols) {
      const NcclCost& cost = table[nccl_index(a)][nccl_index(p)];
      if (cost.ineligible.empty()) out.push_back(make_choice(v, s, kind, a, p, cost, bytes));
    }
  return out;
}

NcclChoice nccl_select(const NcclVersion& v, const NcclSystem& s, CollectiveKind kind, double bytes,
                       std::optional<NcclAlgorithm> algo, std::optional<NcclProtocol> proto) {
  if (algo && proto) {
    const NcclCost cost = nccl_tune_model(v, s, kind)[nccl_index(*algo)][nccl_index(*proto)];
    if (!cost.ineligible.empty())
      throw InputError(fmt::format("NCCL cannot run {} {} with protocol {} on {} x {}: {}", to_string(kind), to_string(*algo),
                                   to_string(*proto), s.nodes, s.instance, cost.ineligible));
    return make_choice(v, s, kind, *algo, *proto, cost, bytes);
  }
  std::optional<NcclChoice> best;
  for (const NcclChoice& c : nccl_candidates(v, s, kind, bytes)) {
    if ((algo && c.algorithm != *algo) || (proto && c.protocol != *proto)) continue;
    if (!best || c.time_s < best->time_s) best = c;
  }
  if (best) return *best;
  // Nothing eligible under the restriction: say why for the forced value's first pair.
  const NcclCostTable table = nccl_tune_model(v, s, kind);
  const NcclCost& why = algo ? table[nccl_index(*algo)][nccl_index(NcclProtocol::simple)]
                             : table[nccl_index(NcclAlgorithm::ring)][nccl_index(proto.value_or(NcclProtocol::simple))];
  throw InputError(fmt::format("NCCL has no eligible {} for {} on {} x {}{}{}: {}", algo ? "protocol" : "algorithm", to_string(kind),
                               s.nodes, s.instance, algo ? fmt::format(" with algorithm {}", to_string(*algo)) : "",
                               proto ? fmt::format(" with protocol {}", to_string(*proto)) : "", why.ineligible));
}

}  // namespace shardsim
