#include "sim/formulas/alpha_beta.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace shardsim {

double ring_step_time(double chunk_bytes, RingCost c, bool reducing) {
  const double path_Bps = c.path_bandwidth_Bps > 0 ? c.path_bandwidth_Bps : c.bandwidth_Bps;
  const double reduce_s = reducing && c.reduce_Bps > 0 ? chunk_bytes / c.reduce_Bps : 0;
  const double wire_s = chunk_bytes / c.bandwidth_Bps;
  const double fifo_s = fifo_step_floor_s(c.fifo, chunk_bytes / std::max(1, c.rings), c.fifo_hop_latency_s, wire_s);
  return std::max({wire_s, c.alpha_s + chunk_bytes / path_Bps + reduce_s, fifo_s});
}

int fifo_messages(const ConnectionFifo& fifo, double step_data_bytes) {
  if (fifo.in_flight_messages <= 0) return 0;
  const double chunks = fifo.chunk_data_bytes > 0 ? std::ceil(step_data_bytes / fifo.chunk_data_bytes) : 1;
  return static_cast<int>(std::max(1.0, chunks)) * fifo.messages_per_chunk;
}

double fifo_step_floor_s(const ConnectionFifo& fifo, double step_data_bytes, double hop_latency_s, double transfer_s) {
  const int messages = fifo_messages(fifo, step_data_bytes);
  if (messages == 0) return 0;
  return (messages * hop_latency_s + transfer_s) / fifo.in_flight_messages;
}

double ring_all_gather_time(int p, double bytes, RingCost c) {
  if (p <= 1) return 0;
  return (p - 1) * ring_step_time(bytes / p, c, false);
}

double pipelined_ring_step_s(double sum_s, double smallest_s, int hops) {
  if (hops < 2) return hops == 1 ? sum_s : 0;
  return (sum_s - smallest_s) / (hops - 1);
}

double pipelined_ring_step_latency_s(const std::vector<double>& hop_latencies_s) {
  if (hop_latencies_s.empty()) return 0;
  double sum = 0;
  double smallest = hop_latencies_s.front();
  for (double l : hop_latencies_s) {
    sum += l;
    smallest = std::min(smallest, l);
  }
  return pipelined_ring_step_s(sum, smallest, static_cast<int>(hop_latencies_s.size()));
}

double ring_reduce_scatter_time(int p, double bytes, RingCost c) {
  if (p <= 1) return 0;
  return (p - 1) * ring_step_time(bytes / p, c, true);
}

double ring_all_reduce_time(int p, double bytes, RingCost c) {
  if (p <= 1) return 0;
  return ring_reduce_scatter_time(p, bytes, c) + ring_all_gather_time(p, bytes, c);
}

double ring_time(CollectiveKind kind, int p, double bytes, RingCost c) {
  switch (kind) {
    case CollectiveKind::all_gather: return ring_all_gather_time(p, bytes, c);
    case CollectiveKind::reduce_scatter: return ring_reduce_scatter_time(p, bytes, c);
    case CollectiveKind::all_reduce: return ring_all_reduce_time(p, bytes, c);
  }
  return 0;
}

double hierarchical_time(CollectiveKind kind, int p, int k, double bytes, TwoLevelCost c) {
  if (k <= 0 || p % k != 0) throw std::invalid_argument("two-level collectives need p to be a multiple of k");
  const int n = p / k;
  // The inter-node rings move M/k each, k of them per node at once sharing the node's NICs.
  RingCost one_inter_ring = c.inter;
  one_inter_ring.bandwidth_Bps /= k;
  one_inter_ring.path_bandwidth_Bps /= k;
  return ring_time(kind, n, bytes / k, one_inter_ring) + hierarchical_local_time(kind, p, k, bytes, c);
}

double hierarchical_local_time(CollectiveKind kind, int p, int k, double bytes, TwoLevelCost c) {
  if (k <= 0 || p % k != 0) throw std::invalid_argument("two-level collectives need p to be a multiple of k");
  const int n = p / k;
  switch (kind) {
    case CollectiveKind::all_gather: {
      // The inter-node result (M/k) is copied into place, then one intra-node gather per node block.
      const double copy = (n > 1 && k > 1 && c.copy_Bps > 0) ? 2 * (bytes / k) / c.copy_Bps : 0;
      return copy + n * ring_all_gather_time(k, bytes / n, c.intra);
    }
    case CollectiveKind::reduce_scatter: return n * ring_reduce_scatter_time(k, bytes / n, c.intra);
    case CollectiveKind::all_reduce: return ring_reduce_scatter_time(k, bytes, c.intra) + ring_all_gather_time(k, bytes, c.intra);
  }
  return 0;
}

int ring_steps(CollectiveKind kind, int p) { return kind == CollectiveKind::all_reduce ? 2 * (p - 1) : p - 1; }

int hierarchical_steps(CollectiveKind kind, int p, int k) {
  const int n = p / k;
  return kind == CollectiveKind::all_reduce ? 2 * (n - 1) + 2 * (k - 1) : (n - 1) + n * (k - 1);
}

int hierarchical_network_steps(CollectiveKind kind, int p, int k) { return ring_steps(kind, p / k); }

double flat_network_volume_fraction(int p) { return static_cast<double>(p - 1) / p; }
double hierarchical_network_volume_fraction(int p, int k) { return static_cast<double>(p - k) / p; }
double latency_ratio_estimate(int p, int k) { return static_cast<double>(p) / (static_cast<double>(p) / k + k); }

}  // namespace shardsim
