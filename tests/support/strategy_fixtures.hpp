// Step configurations of the small test model and p4d clusters, shared by the strategy tests.
#pragma once

#include "sim/strategies/step_config.hpp"
#include "sim/topology/topology.hpp"
#include "tests/support/test_models.hpp"

#include <map>

namespace shardsim::test {

inline StepConfig step_config(Strategy s, int partition = 0, bool hierarchical = false, int micro_steps = 2) {
  StepConfig c;
  c.model = small_model();
  c.strategy.strategy = s;
  c.strategy.partition_size = partition;
  c.strategy.hierarchical_gather = hierarchical;
  c.accumulation_steps = micro_steps;
  return c;
}

// One cluster per node count, built once per test program.
inline const Cluster& p4d(int nodes) {
  static const InstanceType inst = load_instance_by_name("p4d.24xlarge");
  static std::map<int, Cluster> clusters;
  auto it = clusters.find(nodes);
  if (it == clusters.end()) it = clusters.emplace(nodes, make_cluster(inst, nodes)).first;
  return it->second;
}

}  // namespace shardsim::test
