// The simulator's ring step model, written as a linear equation in four unknowns so that
// measurements can be fitted to it. A planned collective (sim/collectives) is phases of ring steps
// in lockstep; the simulator (sim/collsim) times one step as the slowest hop's route latency plus
// the bytes it sends over its share of the narrowest link. On a cluster whose inter-node hops are
// slower than its intra-node hops (every real and emulated cluster here), a collective then costs
//   T = S_intra a_intra + S_inter a_inter + V_intra / C_intra + V_inter / C_inter + T_known
// with S the steps of intra-only and of node-crossing phases, a the route latency of an intra- and
// an inter-node hop, V the bytes per step times the flows sharing the busiest link of the class
// that bounds the phase (summed over steps), C that class's per-link capacity, and T_known the
// reorder copies (2 x bytes / memory bandwidth), which are not fitted.
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
  double intra_steps = 0;
  double inter_steps = 0;
  double intra_bytes = 0;  // bytes through the busiest intra-class link, summed over steps
  double inter_bytes = 0;
  double known_s = 0;

  double time_s(double alpha_intra_s, double alpha_inter_s, double intra_Bps, double inter_Bps) const {
    return intra_steps * alpha_intra_s + inter_steps * alpha_inter_s + intra_bytes / intra_Bps +
           inter_bytes / inter_Bps + known_s;
  }
};

StepModelTerms step_model_terms(const Cluster& cluster, const LinkClassRoles& roles, const CollectivePlan& plan);

}  // namespace shardsim::validate
