// Closed-form (Hockney alpha-beta) costs of the collectives, the reference the simulator must
// reproduce on a uniform topology. M = bytes in nccl-tests' convention, p = group size, k = GPUs
// per node (n = p/k nodes), alpha = per-step latency, B = the ring's bottleneck bandwidth.
//   flat ring AG / RS:  T = (p-1) alpha + (p-1)/p M / B          (RS adds no reduction cost here)
//   flat ring AR:       T = 2(p-1) alpha + 2(p-1)/p M / B
//   two-level AG / RS:  T = (n-1) alpha_net + (n-1)/n M / B_net + (k-1) alpha_intra + (k-1)/k M / B_intra
//                       (+ the AG's reorder copy: 2M / HBM bandwidth)
//   two-level AR:       intra RS + inter AR of M/k over n + intra AG
// B_net is a node's aggregate NIC bandwidth, shared by its k concurrent inter-node rings.
// Volumes entering a node from the network: flat (p-1)/p M, two-level (p-k)/p M (the minimum).
// Latency steps: flat p-1, two-level (p/k-1)+(k-1); their ratio is about p/(p/k+k).
#pragma once

#include "sim/collectives/collective.hpp"

namespace shardsim {

struct RingCost {
  double alpha_s = 0;
  double bandwidth_Bps = 0;
};

struct TwoLevelCost {
  RingCost inter;  // alpha between nodes, a node's aggregate network bandwidth
  RingCost intra;  // alpha inside a node, the intra-node ring bandwidth
  double copy_Bps = 0;  // HBM bandwidth for the reorder copy; 0 = no copy term
};

double ring_all_gather_time(int p, double bytes, RingCost c);
double ring_reduce_scatter_time(int p, double bytes, RingCost c);
double ring_all_reduce_time(int p, double bytes, RingCost c);
double ring_time(CollectiveKind kind, int p, double bytes, RingCost c);

double hierarchical_time(CollectiveKind kind, int p, int k, double bytes, TwoLevelCost c);

int ring_steps(CollectiveKind kind, int p);
int hierarchical_steps(CollectiveKind kind, int p, int k);
double flat_network_volume_fraction(int p);               // (p-1)/p
double hierarchical_network_volume_fraction(int p, int k);  // (p-k)/p
double latency_ratio_estimate(int p, int k);             // p / (p/k + k)

}  // namespace shardsim
