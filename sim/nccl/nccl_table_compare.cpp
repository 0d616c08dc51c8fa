// NCCL's printed cost table against the modelled one (see nccl_table_compare.hpp).
#include "sim/nccl/nccl_table_compare.hpp"

#include "sim/input/input_error.hpp"
#include "sim/nccl/nccl_tuning_log.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace shardsim {
namespace {

constexpr double kMicrosecond_s = 1e-6;

bool values_differ(double nccl, double model) {
  const double gap = std::abs(model - nccl);
  return gap > kNcclCellRelTolerance * std::abs(nccl) && gap > kNcclPrintRounding;
}

std::optional<double> rel_diff(double nccl, double model) {
  if (nccl == 0) return std::nullopt;
  return (model - nccl) / nccl;
}

}  // namespace

std::optional<NcclChoice> nccl_select_from_table(const NcclVersion& v, const NcclSystem& s, CollectiveKind kind,
                                                 const NcclCostTable& table, double bytes) {
  if (!(bytes > 0)) throw InputError(fmt::format("collective size must be positive, got {} bytes", bytes));
  std::optional<NcclChoice> best;
  for (NcclAlgorithm a : kAllNcclAlgorithms)
    for (NcclProtocol p : kAllNcclProtocols) {
      const NcclCost& cost = table[nccl_index(a)][nccl_index(p)];
      if (!cost.ineligible.empty()) continue;
      const NcclAlgoTime t = nccl_algo_time(v, s, kind, a, p, cost, bytes);
      const NcclChoice c{a, p, nccl_channels(v, s, a, p, cost.channels, bytes), t.latency_us, t.bandwidth_GBps, cost.busbw_GBps,
                         t.time_us * kMicrosecond_s};
      if (!best || c.time_s < best->time_s) best = c;  // strict: ties keep NCCL's loop order
    }
  return best;
}

NcclTableComparison compare_nccl_tables(const NcclVersion& v, const NcclSystem& s, CollectiveKind kind, const NcclCostTable& printed,
                                        const std::vector<double>& sizes_bytes) {
  const NcclCostTable model = nccl_tune_model(v, s, kind);
  // The printed cells run on the modelled graphs' channel counts (NCCL does not print them); an
  // algorithm shardsim does not model (CollNet) gets the ring's.
  NcclCostTable nccl = printed;
  const int ring_channels = model[nccl_index(NcclAlgorithm::ring)][nccl_index(NcclProtocol::simple)].channels;
  for (NcclAlgorithm a : kAllNcclAlgorithms) {
    int channels = 0;
    for (NcclProtocol p : kAllNcclProtocols) channels = std::max(channels, model[nccl_index(a)][nccl_index(p)].channels);
    for (NcclProtocol p : kAllNcclProtocols) nccl[nccl_index(a)][nccl_index(p)].channels = channels > 0 ? channels : std::max(ring_channels, 1);
  }
  NcclTableComparison out;
  for (NcclAlgorithm a : kAllNcclAlgorithms)
    for (NcclProtocol p : kAllNcclProtocols) {
      NcclCellComparison c;
      c.algorithm = a;
      c.protocol = p;
      c.nccl = nccl[nccl_index(a)][nccl_index(p)];
      c.model = model[nccl_index(a)][nccl_index(p)];
      if (!c.nccl.ineligible.empty() && !c.model.ineligible.empty()) continue;
      if (c.both_eligible()) {
        c.latency_rel_diff = rel_diff(c.nccl.latency_us, c.model.latency_us);
        c.bandwidth_rel_diff = rel_diff(c.nccl.bandwidth_GBps, c.model.bandwidth_GBps);
        c.differs = values_differ(c.nccl.latency_us, c.model.latency_us) || values_differ(c.nccl.bandwidth_GBps, c.model.bandwidth_GBps);
      } else {
        c.differs = true;
      }
      out.differing_cells += c.differs ? 1 : 0;
      out.cells.push_back(std::move(c));
    }
  for (double bytes : sizes_bytes) {
    NcclChoiceComparison c{bytes, nccl_select_from_table(v, s, kind, nccl, bytes), nccl_select(v, s, kind, bytes)};
    c.agree = c.nccl && c.nccl->algorithm == c.model.algorithm && c.nccl->protocol == c.model.protocol;
    out.agreeing_sizes += c.agree ? 1 : 0;
    out.choices.push_back(std::move(c));
  }
  return out;
}

std::vector<NcclCallComparison> compare_nccl_calls(const NcclVersion& v, const NcclSystem& s, CollectiveKind kind,
                                                   const std::vector<NcclLoggedCall>& calls) {
  std::vector<NcclCallComparison> out;
  const double ranks = kind == CollectiveKind::all_reduce ? 1.0 : static_cast<double>(s.ranks());
  for (const NcclLoggedCall& call : calls) {
    if (call.kind != kind || !(call.logged_bytes > 0)) continue;
    const double bytes = call.logged_bytes * ranks;
    const auto same = std::find_if(out.begin(), out.end(), [&](const NcclCallComparison& c) {
      return c.bytes == bytes && c.algorithm == call.algorithm && c.protocol == call.protocol && c.channels == call.channels;
    });
    if (same != out.end()) {
      ++same->calls;
      continue;
    }
    NcclCallComparison c;
    c.bytes = bytes;
    c.calls = 1;
    c.first_line = call.line;
    c.algorithm = call.algorithm;
    c.protocol = call.protocol;
    c.channels = call.channels;
    c.model = nccl_select(v, s, kind, bytes);
    c.agree = c.model.algorithm == c.algorithm && c.model.protocol == c.protocol;
    out.push_back(c);
  }
  return out;
}

}  // namespace shardsim
