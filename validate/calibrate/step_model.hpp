// The simulator's ring step model, written in five unknowns so that measurements can be fitted
// to it. A planned collective (sim/collectives) is phases of ring steps; the simulator
// (sim/collsim) times one step as the larger of (a) the chunk over its share of the busiest link
// and (b) the ring's pipelined hop time: the sum over its hops of latency + transfer time (+ the
// reduction of the received chunk in a reducing step) minus the smallest, over hops - 1
// (sim/formulas/alpha_beta.hpp). On a cluster whose inter-node hops are slower than its
// intra-node hops (every real and emulated cluster here) each bound is linear:
//   link bound  V / C_bounding
//   path bound  S_intra a_intra + S_inter a_inter + V_intra / C_intra + V_inter / C_inter + V_reduce / R
// with S the intra- and inter-node hops on a chunk's path per step (a flat ring over n nodes of k
// ranks: every hop but one intra-node hop, spread over its hops - 1 steps), a the route latency of
// an intra- and an inter-node hop, V the bytes per step times the flows sharing the busiest link of
// a class (on the path: weighted like S), C that class's per-link capacity, V_reduce the bytes a
// rank reduces, R its reduction rate. A collective sums max(link, path) over its step groups, plus
// the placement copies (2 x bytes / memory bandwidth), which are not fitted.
#pragma once

#include "sim/collectives/collective.hpp"
#include "sim/topology/topology.hpp"

#include <algorithm>
#include <vector>

namespace shardsim::validate {

// Which link classes bound intra-node and inter-node hops: the narrowest link of the route
// between local ranks 0 and 1, and of local rank 0's route to the fabric.
struct LinkClassRoles {
  int intra_class = -1;
  int inter_class = -1;
};
LinkClassRoles link_class_roles(const InstanceType& instance);  // throws InputError if ambiguous

// A time that is linear in the unknowns: latencies paid, bytes through the busiest link of each
// class, bytes reduced (the reduction rate enters as seconds per byte).
struct LinearTerms {
  double intra_steps = 0;  // intra-node hop latencies paid, summed over steps (fractional per step)
  double inter_steps = 0;  // inter-node hop latencies paid
  double intra_bytes = 0;  // bytes through the busiest intra-class link, summed over steps
  double inter_bytes = 0;
  double reduce_bytes = 0;  // bytes one rank folds into its own chunks, summed over reducing steps

  // reduce_Bps 0 = reductions cost nothing (fused into the transfer).
  double time_s(double alpha_intra_s, double alpha_inter_s, double intra_Bps, double inter_Bps, double reduce_Bps) const {
    return intra_steps * alpha_intra_s + inter_steps * alpha_inter_s + intra_bytes / intra_Bps + inter_bytes / inter_Bps +
           (reduce_Bps > 0 ? reduce_bytes / reduce_Bps : 0);
  }
};

// Steps of one ring phase that cost alike (its reducing steps, or its plain ones). Each costs the
// larger of two bounds, as in the simulator: what the busiest link needs to carry its chunks, and
// the ring's pipelined hop time (latency + transfer [+ reduction]) along a chunk's path.
struct StepGroupTerms {
  LinearTerms link_bound;
  LinearTerms path_bound;
  double chunk_bytes = 0;  // what each hop moves per step (the fit starts from guesses by chunk size)
};

struct StepModelTerms {
  std::vector<StepGroupTerms> groups;
  double known_s = 0;

  // A model that is one linear expression (a uniform ring: its path bound always dominates).
  static StepModelTerms linear(const LinearTerms& terms, double known_s = 0) { return {{{LinearTerms{}, terms, 0}}, known_s}; }

  double time_s(double alpha_intra_s, double alpha_inter_s, double intra_Bps, double inter_Bps, double reduce_Bps) const {
    double total = known_s;
    for (const auto& g : groups)
      total += std::max(g.link_bound.time_s(alpha_intra_s, alpha_inter_s, intra_Bps, inter_Bps, reduce_Bps),
                        g.path_bound.time_s(alpha_intra_s, alpha_inter_s, intra_Bps, inter_Bps, reduce_Bps));
    return total;
  }
};

StepModelTerms step_model_terms(const Cluster& cluster, const LinkClassRoles& roles, const CollectivePlan& plan);

}  // namespace shardsim::validate
