// Fuzzes load_instance_type (topologies/*.json) and what the CLI does next with a user's topology
// file: a cluster of one or two nodes, its summary, and, on small clusters, one simulated ring
// all-reduce, whose time must be a finite, non-negative number.
#include "tests/fuzz/fuzz_support.hpp"

#include "sim/collectives/plan.hpp"
#include "sim/collsim/collective_execution.hpp"
#include "sim/topology/summary.hpp"
#include "sim/topology/topology.hpp"

#include <cmath>

SHARDSIM_FUZZ_TARGET(topology) {
  using namespace shardsim;
  if (size > fuzz::kMaxInput) return 0;
  const std::string path = fuzz::write_temp(data, size, "topology");
  fuzz::expect_only_input_errors("fuzz_topology", [&] {
    InstanceType inst = load_instance_type(path);
    const int nodes = inst.has_network() ? 2 : 1;
    const Cluster cluster = make_cluster(std::move(inst), nodes);
    summarize(cluster);
    if (cluster.gpus() < 2 || cluster.gpus() > 16) return;
    const CollectivePlan plan =
        plan_collective(cluster, CollectiveKind::all_reduce, Algorithm::ring, world_group(cluster), 1 << 20);
    const CollectiveResult r = simulate_collective(cluster, plan);
    if (!(std::isfinite(r.time_s) && r.time_s >= 0)) {
      std::fprintf(stderr, "\nfuzz_topology: BUG: a 1 MiB all-reduce on a loaded topology took %g s\n", r.time_s);
      std::abort();
    }
  });
  return 0;
}
