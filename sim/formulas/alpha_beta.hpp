// Closed-form (Hockney alpha-beta) costs of the collectives, the reference the simulator must
// reproduce on a uniform topology. M = bytes in nccl-tests' convention, p = group size, k = GPUs
// per node (n = p/k nodes), c = M/p the chunk a ring step moves, alpha = per-step latency (of a
// pipelined ring: see pipelined_ring_step_latency_s), B = the ring's bottleneck bandwidth, R = a
// rank's reduction rate (infinite where reductions are fused into the transfer, as in NCCL).
// A ring is a pipeline: a member forwards a chunk once it has it, so one step of a uniform ring
// costs alpha + c/B (+ c/R when it reduces). In a ring whose hops differ (a flat ring across nodes:
// fast intra-node hops, slow node crossings) a step costs the larger of what its busiest link
// needs, c/B, and the ring's mean hop time along a chunk's path, alpha + c/B_path (+ c/R), where
// 1/B_path is the pipelined mean of the hops' 1/B: while a slow link carries one chunk, the next
// one travels the fast hops, so node-crossing latency hides behind the transfer until the chunk
// is small (ring_step_time).
//   flat ring AG:       T = (p-1) step(c)
//   flat ring RS:       T = (p-1) step_reducing(c)
//   flat ring AR:       T = RS + AG; on a uniform ring 2(p-1) alpha + 2(p-1)/p M / B + (p-1)/p M / R
//   two-level AG / RS:  T = (n-1) alpha_net + (n-1)/n M / B_net + n (k-1) alpha_intra + (k-1)/k M / B_intra
//                       (+ the AG's copy of the gathered M/k into place: 2M/k / HBM bandwidth); the
//                       intra-node level is one collective per node block, as DeepSpeed's MiCS
//                       gather runs it (collectives/plan.hpp)
//   two-level AR:       intra RS + inter AR of M/k over n + intra AG
// B_net is a node's aggregate NIC bandwidth, shared by its k concurrent inter-node rings.
// Volumes entering a node from the network: flat (p-1)/p M, two-level (p-k)/p M (the minimum).
// Latency steps: flat p-1; two-level (n-1) + n(k-1) as DeepSpeed runs it, against the MiCS paper's
// (p/k-1)+(k-1) for a single intra-node gather: the node crossings, which dominate on a real
// network, fall from p-1 to p/k-1 either way (latency_ratio_estimate gives the paper's ratio).
#pragma once

#include "sim/collectives/collective.hpp"

#include <vector>

namespace shardsim {

struct RingCost {
  double alpha_s = 0;
  double bandwidth_Bps = 0;
  double reduce_Bps = 0;  // 0 = reductions cost nothing (fused into the transfer)
  // B_path: 1 / (pipelined mean of the hops' 1/B); 0 = every hop has bandwidth_Bps (a uniform ring).
  double path_bandwidth_Bps = 0;
  // The connections' FIFO (no bound by default), the latency of the ring's slowest hop and the
  // rings the step's chunk is spread over (each ring's connection carries c / rings).
  ConnectionFifo fifo;
  double fifo_hop_latency_s = 0;
  int rings = 1;
};

// A uniform ring's cost: alpha, B and (0 = fused) R; no path bandwidth, no FIFO bound.
inline RingCost alpha_beta_cost(double alpha_s, double bandwidth_Bps, double reduce_Bps = 0) {
  RingCost c;
  c.alpha_s = alpha_s;
  c.bandwidth_Bps = bandwidth_Bps;
  c.reduce_Bps = reduce_Bps;
  return c;
}

// One ring step moving `chunk_bytes` per hop: max(c/B, alpha + c/B_path + c/R if reducing, the
// FIFO floor of the slowest hop for c / rings per connection at c/B).
double ring_step_time(double chunk_bytes, RingCost c, bool reducing);

// The messages one ring step of `step_data_bytes` per connection sends: ceil(c / chunk) chunks of
// messages_per_chunk messages each (at least one chunk); 0 where the FIFO has no bound.
int fifo_messages(const ConnectionFifo& fifo, double step_data_bytes);
// The shortest time a ring step can take on one hop through a bounded FIFO: its m messages each
// hold a slot for the hop's latency plus their share of the transfer, k slots at a time, so
// (m * latency + transfer) / k; 0 where the FIFO has no bound. The wire's own c/B is the other bound.
double fifo_step_floor_s(const ConnectionFifo& fifo, double step_data_bytes, double hop_latency_s, double transfer_s);

// The latency one step of a pipelined ring pays, given the latency of each of its hops. Every
// member forwards a chunk as soon as it arrives, so the last arrival of an all-gather is a chain
// of h-1 consecutive hops: the sum of the hop latencies minus the smallest, not h-1 times the
// slowest hop (what a ring whose members wait for each other would pay). Spread evenly over the
// h-1 steps this is that critical path exactly (within one hop for an all-reduce's 2(h-1) steps).
// The same mean applies to any per-hop time (a hop's transfer time, or latency + transfer).
double pipelined_ring_step_latency_s(const std::vector<double>& hop_latencies_s);
// The same mean from a ring's summed hop times, its smallest hop time and its number of hops
// (what the simulator keeps per ring): (sum - smallest) / (hops - 1); one hop: its own time.
double pipelined_ring_step_s(double sum_s, double smallest_s, int hops);

struct TwoLevelCost {
  RingCost inter;  // alpha between nodes, a node's aggregate network bandwidth
  RingCost intra;  // alpha inside a node, the intra-node ring bandwidth
  double copy_Bps = 0;  // HBM bandwidth for the gather's placement copy; 0 = no copy term
};

double ring_all_gather_time(int p, double bytes, RingCost c);
double ring_reduce_scatter_time(int p, double bytes, RingCost c);
double ring_all_reduce_time(int p, double bytes, RingCost c);
double ring_time(CollectiveKind kind, int p, double bytes, RingCost c);

double hierarchical_time(CollectiveKind kind, int p, int k, double bytes, TwoLevelCost c);
// The same without the inter-node phase (the placement copy and the intra-node phases), for a plan
// whose inter-node phase NCCL runs as another algorithm (PAT, tree) costed on its own.
double hierarchical_local_time(CollectiveKind kind, int p, int k, double bytes, TwoLevelCost c);

int ring_steps(CollectiveKind kind, int p);
int hierarchical_steps(CollectiveKind kind, int p, int k);
// The steps that cross the network: every step of a flat ring over several nodes, the inter-node
// ring's of a two-level collective.
int hierarchical_network_steps(CollectiveKind kind, int p, int k);
double flat_network_volume_fraction(int p);               // (p-1)/p
double hierarchical_network_volume_fraction(int p, int k);  // (p-k)/p
double latency_ratio_estimate(int p, int k);             // p / (p/k + k)

}  // namespace shardsim
