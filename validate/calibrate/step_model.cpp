#include "validate/calibrate/step_model.hpp"

#include "sim/input/input_error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <map>
#include <utility>

namespace shardsim::validate {
namespace {

int narrowest_class(const InstanceType& instance, const NodeRoute& route) {
  int best = -1;
  double capacity = std::numeric_limits<double>::infinity();
  for (int l : route.links) {
    if (instance.links[l].capacity_Bps < capacity) {
      capacity = instance.links[l].capacity_Bps;
      best = instance.links[l].link_class;
    }
  }
  return best;
}

}  // namespace

LinkClassRoles link_class_roles(const InstanceType& instance) {
  if (instance.gpus_per_node < 2)
    throw InputError(fmt::format("{}: calibration needs at least 2 GPUs per node to tell intra- from inter-node links", instance.file));
  if (!instance.has_network())
    throw InputError(fmt::format("{}: calibration needs a 'fabric' block (inter-node links)", instance.file));
  LinkClassRoles roles;
  roles.intra_class = narrowest_class(instance, instance.gpu_route[0][1]);
  roles.inter_class = narrowest_class(instance, instance.up[0]);
  if (roles.intra_class == roles.inter_class)
    throw InputError(fmt::format("{}: the same link class '{}' bounds intra- and inter-node routes, so the two cannot be fitted apart",
                                 instance.file, instance.link_classes[roles.intra_class].name));
  return roles;
}

StepModelTerms step_model_terms(const Cluster& cluster, const LinkClassRoles& roles, const CollectivePlan& plan) {
  StepModelTerms terms;
  std::vector<int> route;
  for (const auto& phase : plan.phases) {
    if (const auto* copy = std::get_if<CopyPhase>(&phase)) {
      terms.known_s += cluster.instance.gpu.copy_seconds(copy->bytes);
      continue;
    }
    const RingPhase& ring_phase = std::get<RingPhase>(phase);
    bool crosses_nodes = false;
    std::map<int, int> flows_on_link;
    // Per step, the hops on a chunk's path in the ring that pays most: (hops - the smallest) /
    // (hops - 1), with every intra-node hop cheaper than every inter-node one.
    double step_intra_weight = 0, step_inter_weight = 0;
    for (const auto& ring : ring_phase.rings) {
      int intra_hops = 0, inter_hops = 0;
      for (std::size_t i = 0; i < ring.size(); ++i) {
        const int src = ring[i], dst = ring[(i + 1) % ring.size()];
        const bool crossing = cluster.node_of(src) != cluster.node_of(dst);
        crosses_nodes = crosses_nodes || crossing;
        ++(crossing ? inter_hops : intra_hops);
        route.clear();
        cluster.route(src, dst, route);
        for (int l : route) ++flows_on_link[l];
      }
      const int hops = intra_hops + inter_hops;
      if (hops < 2) continue;
      (intra_hops > 0 ? intra_hops : inter_hops) -= 1;  // the smallest hop is off the critical path
      const double intra_weight = static_cast<double>(intra_hops) / (hops - 1);
      const double inter_weight = static_cast<double>(inter_hops) / (hops - 1);
      if (std::pair(inter_weight, intra_weight) > std::pair(step_inter_weight, step_intra_weight)) {
        step_intra_weight = intra_weight;
        step_inter_weight = inter_weight;
      }
    }
    int busiest_intra = 0, busiest_inter = 0;
    for (const auto& [link, flows] : flows_on_link) {
      const int link_class = cluster.link(link).link_class;
      if (link_class == roles.intra_class) busiest_intra = std::max(busiest_intra, flows);
      if (link_class == roles.inter_class) busiest_inter = std::max(busiest_inter, flows);
    }
    const double chunk = ring_phase.bytes_per_step;
    LinearTerms link_step;
    (crosses_nodes ? link_step.inter_bytes : link_step.intra_bytes) = chunk * (crosses_nodes ? busiest_inter : busiest_intra);
    LinearTerms path_step;
    path_step.intra_steps = step_intra_weight;
    path_step.inter_steps = step_inter_weight;
    path_step.intra_bytes = chunk * busiest_intra * step_intra_weight;
    path_step.inter_bytes = chunk * busiest_inter * step_inter_weight;
    const auto times = [](LinearTerms t, double steps) {
      for (double* v : {&t.intra_steps, &t.inter_steps, &t.intra_bytes, &t.inter_bytes, &t.reduce_bytes}) *v *= steps;
      return t;
    };
    const int plain_steps = ring_phase.steps - ring_phase.reducing_steps;
    if (plain_steps > 0) terms.groups.push_back({times(link_step, plain_steps), times(path_step, plain_steps), chunk});
    if (ring_phase.reducing_steps > 0) {
      path_step.reduce_bytes = chunk * most_rings_per_member(ring_phase);
      terms.groups.push_back({times(link_step, ring_phase.reducing_steps), times(path_step, ring_phase.reducing_steps), chunk});
    }
  }
  return terms;
}

}  // namespace shardsim::validate
