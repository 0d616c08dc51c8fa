// NCCL's choice run as flows, with the shipped topologies and NCCL 2.28's data, against the
// measured nccl-tests curves of shared/reference/hardware-and-calibration.md (also listed in
// validate/published/nccl-aws.json). Tolerances as issue 13 states them: 15% from 1 MiB up, 25%
// below. Only the rows the model meets are asserted; the misses (1-8 MiB two-node p4de, every
// two-node p5 row: NVLS-tree not simulated as flows) are reported by validate/published/compare
// with their missing mechanism, never tuned away here.
#include "sim/collectives/plan.hpp"
#include "sim/collsim/collective_execution.hpp"
#include "sim/collsim/library_plan.hpp"

#include <catch2/catch.hpp>

using namespace shardsim;

namespace {

struct Measured {
  const char* instance;
  int nodes;
  double bytes;
  double algbw_GBps;  // nccl-tests algbw
  double tolerance;
};

LibraryPlan nccl_all_reduce(const Cluster& cluster, double bytes) {
  const CollectiveLibrary library = load_collective_library("2.28", cluster.instance);
  return plan_on_library(cluster, library, CollectiveKind::all_reduce, Algorithm::ring, world_group(cluster), bytes);
}

}  // namespace

TEST_CASE("NCCL's all-reduce as flows meets the measured AWS curves where its mechanisms are modelled", "[collective][nccl]") {
  const Measured rows[] = {
      {"p4d.24xlarge", 1, 1073741824.0, 230.8 / (2 * 7.0 / 8), 0.15},  // busbw 230.8 GB/s, one NVSwitch node
      {"p4de.24xlarge", 2, 2147483648.0, 41.78, 0.15},
      {"p4de.24xlarge", 2, 1073741824.0, 40.96, 0.15},
      {"p4de.24xlarge", 2, 268435456.0, 37.3, 0.15},
  };
  for (const Measured& row : rows) {
    CAPTURE(row.instance, row.nodes, row.bytes);
    const Cluster cluster = make_cluster(load_instance_by_name(row.instance), row.nodes);
    const LibraryPlan lp = nccl_all_reduce(cluster, row.bytes);
    const double algbw_GBps = row.bytes / simulate_collective(cluster, lp.plan).time_s / 1e9;
    CHECK(algbw_GBps == Approx(row.algbw_GBps).epsilon(row.tolerance));
  }
}

TEST_CASE("two-node all-reduces run as NCCL's tree, and an 8-byte one costs the measured latency", "[collective][nccl]") {
  const Cluster cluster = make_cluster(load_instance_by_name("p4de.24xlarge"), 2);
  for (double bytes : {8.0, 1048576.0, 268435456.0, 2147483648.0}) {
    const LibraryPlan lp = nccl_all_reduce(cluster, bytes);
    REQUIRE(lp.choice);
    CHECK(lp.choice->algorithm == NcclAlgorithm::tree);
    CHECK(lp.simulated_as == "tree");
  }
  // Measured 161-165 us (hardware-and-calibration.md); 25% below 1 MiB.
  const LibraryPlan small = nccl_all_reduce(cluster, 8);
  CHECK(simulate_collective(cluster, small.plan).time_s == Approx(163e-6).epsilon(0.25));
  // Where nothing contends, the flows and NCCL's formula agree on the latency-bound 8 bytes.
  CHECK(simulate_collective(cluster, small.plan).time_s == Approx(small.choice->time_s).epsilon(0.01));
}

TEST_CASE("a ring all-gather shaped by NCCL pays its protocol's step latencies", "[collective][nccl]") {
  const Cluster cluster = make_cluster(load_instance_by_name("p4d.24xlarge"), 4);
  const CollectiveLibrary library = load_collective_library("2.28", cluster.instance);
  const LibraryPlan lp = plan_on_library(cluster, library, CollectiveKind::all_gather, Algorithm::ring, world_group(cluster), 8);
  REQUIRE(lp.choice);
  CHECK(lp.choice->algorithm == NcclAlgorithm::ring);
  const auto& ring = std::get<RingPhase>(lp.plan.phases.front());
  REQUIRE(ring.shape);
  // 8 bytes over 32 ranks: latency-bound; NCCL's model and the flows agree within the pipelined
  // ring's extra node crossing (a cyclic ring's worst chunk crosses every node boundary, NCCL's
  // formula counts n-1 of them).
  const double simulated_s = simulate_collective(cluster, lp.plan).time_s;
  CHECK(simulated_s >= lp.choice->time_s);
  CHECK(simulated_s <= lp.choice->time_s + ring.shape->inter_step_latency_s + 1e-9);
}
