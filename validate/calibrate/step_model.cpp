#include "validate/calibrate/step_model.hpp"

#include "sim/input/input_error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <map>

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
    if (phase.is_copy) {
      terms.known_s += 2 * phase.copy.bytes / cluster.instance.gpu.hbm_bandwidth_Bps;
      continue;
    }
    const RingPhase& ring_phase = phase.ring;
    bool crosses_nodes = false;
    std::map<int, int> flows_on_link;
    for (const auto& ring : ring_phase.rings) {
      for (std::size_t i = 0; i < ring.size(); ++i) {
        const int src = ring[i], dst = ring[(i + 1) % ring.size()];
        crosses_nodes = crosses_nodes || cluster.node_of(src) != cluster.node_of(dst);
        route.clear();
        cluster.route(src, dst, route);
        for (int l : route) ++flows_on_link[l];
      }
    }
    const int bounding_class = crosses_nodes ? roles.inter_class : roles.intra_class;
    int busiest = 0;
    for (const auto& [link, flows] : flows_on_link)
      if (cluster.link(link).link_class == bounding_class) busiest = std::max(busiest, flows);
    const double steps = ring_phase.steps;
    const double bytes = steps * ring_phase.bytes_per_step * busiest;
    if (crosses_nodes) {
      terms.inter_steps += steps;
      terms.inter_bytes += bytes;
    } else {
      terms.intra_steps += steps;
      terms.intra_bytes += bytes;
    }
  }
  return terms;
}

}  // namespace shardsim::validate
