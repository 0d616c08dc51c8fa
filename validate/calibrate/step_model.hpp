// The simulator's ring step model, written as a linear equation in five unknowns so that
// measurements can be fitted to it. A planned collective (sim/collectives) is phases of ring
// steps; the simulator (sim/collsim) times one step as the ring's pipelined step latency (the sum
// of its hop latencies minus the smallest, over hops - 1: sim/formulas/alpha_beta.hpp) plus the
// bytes it sends over its share of the narrowest link, plus, in a reducing step, the reduction of
// the received chunk. On a cluster whose inter-node hops are slower than its intra-node hops
// (every real and emulated cluster here), a collective then costs
//   T = S_intra a_intra + S_inter a_inter + V_intra / C_intra + V_inter / C_inter + V_reduce / R + T_known
// with S the intra- and inter-node hop latencies on the critical path (a flat ring over n nodes of
// k ranks pays n inter-node and n(k-1)-1 intra-node ones in all: every hop but one intra-node
// hop), a the route latency of an intra- and an inter-node hop, V the bytes per step times the
// flows sharing the busiest link of the class that bounds the phase (summed over steps), C that
// class's per-link capacity, V_reduce the bytes a rank reduces, R its reduction rate, and T_known
// the reorder copies (2 x bytes / memory bandwidth), not fitted.
#pragma once

#include "sim/collectives/collective.hpp"
#include "sim/topology/topology.hpp"

namespace shardsim::validate {

// Which link classes bound intra-node and inter-node hops: the narrowest link of the route
// between local ranks 0 and 1, and of local rank 0's route to the fabric.
struct LinkClassRoles {
  int intra_class = -1;
  int inter_class = -1;
};
LinkClassRoles link_class_roles(const InstanceType& instance);  // throws InputError if ambiguous

struct StepModelTerms {
  double intra_steps = 0;  // intra-node hop latencies paid, summed over steps (fractional per step)
  double inter_steps = 0;  // inter-node hop latencies paid
  double intra_bytes = 0;  // bytes through the busiest intra-class link, summed over steps
  double inter_bytes = 0;
  double known_s = 0;
  double reduce_bytes = 0;  // bytes one rank folds into its own chunks, summed over reducing steps

  // reduce_Bps 0 = reductions cost nothing (fused into the transfer).
  double time_s(double alpha_intra_s, double alpha_inter_s, double intra_Bps, double inter_Bps, double reduce_Bps) const {
    return intra_steps * alpha_intra_s + inter_steps * alpha_inter_s + intra_bytes / intra_Bps +
           inter_bytes / inter_Bps + (reduce_Bps > 0 ? reduce_bytes / reduce_Bps : 0) + known_s;
  }
};

StepModelTerms step_model_terms(const Cluster& cluster, const LinkClassRoles& roles, const CollectivePlan& plan);

}  // namespace shardsim::validate
