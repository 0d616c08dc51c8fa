// NCCL's choice run as flows, with the shipped topologies and NCCL 2.28's data, against the
// measured nccl-tests curves of shared/reference/hardware-and-calibration.md (also listed in
// validate/published/nccl-aws.json). Tolerances as issue 13 states them: 15% from 1 MiB up, 25%
// below. Only the rows the model meets are asserted, so a regression in any of them fails here;
// the misses (1-8 MiB two-node p4de and 8 MiB p5: the tree's chunked pipeline is not modelled;
// p5 1 GiB and 16 GiB: NCCL's formula picks Tree, whose intra-node chain is NVLink-bound, where
// the measured curve is NVLS-tree's) are reported by validate/published/compare with their missing
// mechanism, never tuned away here.
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
      {"p5.48xlarge", 2, 17179869184.0, 259.8, 0.15},  // NVLSTree Simple as NVLink SHARP flows
      {"p5.48xlarge", 2, 1073741824.0, 233, 0.15},
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

TEST_CASE("on p5 the flows pay the network's physical latency, NCCL's choice the plugin's declared 75 us", "[collective][nccl]") {
  const Cluster cluster = make_cluster(load_instance_by_name("p5.48xlarge"), 2);
  const LibraryPlan small = nccl_all_reduce(cluster, 8);
  REQUIRE(small.choice);
  CHECK(small.choice->algorithm == NcclAlgorithm::tree);
  CHECK(small.choice->protocol == NcclProtocol::ll);
  // NCCL's formula: 6.8 + 2 (7 x 0.6 + 1 x (5.0 + 75)) us, the declared latency.
  CHECK(small.choice->time_s == Approx(175.2e-6).epsilon(1e-5));  // + 8 bytes at its bandwidth
  // The flows: the same shape with aws-ofi-nccl's measured 20 us (its tuner's net_lat) in place of 75.
  const double flows_s = simulate_collective(cluster, small.plan).time_s;
  CHECK(flows_s == Approx((6.8 + 2 * (7 * 0.6 + 5.0 + 20.0)) * 1e-6).epsilon(1e-3));
  // Measured 65-75 us (hardware-and-calibration.md); 25% below 1 MiB.
  CHECK(flows_s == Approx(70e-6).epsilon(0.25));
}

TEST_CASE("NVLS-tree forced on two p5 nodes runs as NVLink SHARP flows near the measured large-message curve", "[collective][nccl]") {
  // NCCL's formula with the shipped p5 graphs picks Tree; NCCL_ALGO=NVLSTree as flows. Not the
  // auto choice, so not a row of the compare table; asserted so the NVLS-tree flows stay as they are.
  const Cluster cluster = make_cluster(load_instance_by_name("p5.48xlarge"), 2);
  CollectiveLibrary library = load_collective_library("2.28", cluster.instance);
  library.algorithm = NcclAlgorithm::nvls_tree;
  for (const auto& [bytes, algbw_GBps] : {std::pair{1073741824.0, 233.0}, std::pair{17179869184.0, 259.8}}) {
    CAPTURE(bytes);
    const LibraryPlan lp = plan_on_library(cluster, library, CollectiveKind::all_reduce, Algorithm::ring, world_group(cluster), bytes);
    REQUIRE(lp.choice);
    CHECK(lp.choice->algorithm == NcclAlgorithm::nvls_tree);
    CHECK(lp.simulated_as == "nvls_tree");
    const double simulated_algbw_GBps = bytes / simulate_collective(cluster, lp.plan).time_s / 1e9;
    CHECK(simulated_algbw_GBps == Approx(algbw_GBps).epsilon(0.15));
  }
}
