// NCCL's double binary tree all-reduce as transfers: exact byte counts, the mirrored trees, the
// depth latency, and the event simulation against its contention-free closed form.
#include "sim/collectives/plan.hpp"
#include "sim/collectives/tree_plan.hpp"
#include "sim/collsim/collective_execution.hpp"
#include "sim/collsim/formula_estimate.hpp"
#include "sim/collsim/library_plan.hpp"
#include "sim/input/input_error.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace shardsim;

namespace {

double transfer_bytes(const TransferPhase& phase) {
  double bytes = 0;
  for (const Transfer& t : phase.transfers) bytes += t.bytes;
  return bytes;
}

}  // namespace

TEST_CASE("the tree all-reduce moves M in and out of every node of two, reduce and broadcast at once", "[collective][tree]") {
  const Cluster c = make_cluster(load_instance_by_name("p4de.24xlarge"), 2);
  const double M = 1 << 30;
  const CollectivePlan plan = plan_collective(c, CollectiveKind::all_reduce, Algorithm::tree, world_group(c), M);
  REQUIRE(plan.phases.size() == 1);  // runTreeSplit: the reduction and the broadcast run together
  CHECK(plan.channels == 4);  // one channel per NIC of the node
  const auto& both = std::get<TransferPhase>(plan.phases[0]);
  // Per channel and tree: 7 chain hops in each of the 2 nodes plus 1 tree edge, each M / (2 x 4),
  // up (reduce) and down (broadcast).
  CHECK(both.transfers.size() == 2 * 4 * 2 * (2 * 7 + 1));
  CHECK(transfer_bytes(both) == 2 * 4 * 2 * (2 * 7 + 1) * (M / 8));
  const CollectiveResult r = simulate_collective(c, plan);
  // Each node is the root of one tree and a leaf of the other: M/2 enters it up, M/2 down.
  CHECK(r.network_bytes_per_node == M);
  // On two nodes the mirrored tree is the first one with the nodes swapped, so every node sees the
  // same traffic: the node-symmetric model simulates node 0's transfers and agrees with every flow.
  CHECK(r.model_used == FlowModel::node_symmetric);
  const CollectiveResult every = simulate_collective(c, plan, FlowModel::per_flow);
  CHECK(every.time_s == Approx(r.time_s).epsilon(1e-12));
  CHECK(every.network_bytes_per_node == r.network_bytes_per_node);
  CHECK(r.simulated_flows * 2 == every.simulated_flows);
  // Nothing contends but the tree itself, so the event simulation is the busiest-link closed form.
  CHECK(r.time_s == Approx(formula_time_s(c, plan)).epsilon(1e-9));
  // On three nodes the trees' roots break the symmetry (node 0 exchanges twice with node 2, once
  // with node 1): every flow is simulated. (Four nodes are symmetric again: the two trees' edges
  // form the cycle 0-1-3-2 with weights 1, 2, 1, 2, which Z2 x Z2 maps onto itself.)
  const Cluster three = make_cluster(load_instance_by_name("p4de.24xlarge"), 3);
  const CollectivePlan wider = plan_collective(three, CollectiveKind::all_reduce, Algorithm::tree, world_group(three), M);
  CHECK(simulate_collective(three, wider).model_used == FlowModel::per_flow);
  CHECK_THROWS_WITH(simulate_collective(three, wider, FlowModel::node_symmetric), Catch::Contains("not node-symmetric"));
  const Cluster four = make_cluster(load_instance_by_name("p4de.24xlarge"), 4);
  const CollectivePlan cycle = plan_collective(four, CollectiveKind::all_reduce, Algorithm::tree, world_group(four), M);
  const CollectiveResult symmetric = simulate_collective(four, cycle);
  CHECK(symmetric.model_used == FlowModel::node_symmetric);
  CHECK(simulate_collective(four, cycle, FlowModel::per_flow).time_s == Approx(symmetric.time_s).epsilon(1e-12));
}

TEST_CASE("the second tree mirrors the first: every node is interior in at most one", "[collective][tree]") {
  const Cluster c = make_cluster(load_instance_by_name("p4d.24xlarge"), 7);
  const std::vector<int> one_per_node{0, 8, 16, 24, 32, 40, 48};
  const CollectivePlan plan = plan_tree_all_reduce(c, one_per_node, 7e6);
  const auto& both = std::get<TransferPhase>(plan.phases[0]);
  // One channel (GPU 0's NIC), two trees of 6 edges each, no chain; the reduction's 12 come first.
  REQUIRE(both.transfers.size() == 24);
  const std::vector<Transfer> reduce(both.transfers.begin(), both.transfers.begin() + 12);
  std::map<int, int> children_in_first, children_in_second;
  for (std::size_t i = 0; i < reduce.size(); ++i)
    ++(i < 6 ? children_in_first : children_in_second)[reduce[i].to];
  for (int node : one_per_node) CHECK((children_in_first.count(node) == 0 || children_in_second.count(node) == 0));
}

TEST_CASE("a shaped tree pays NCCL's latency: base + 2((k-1) intra + log2(n) inter)", "[collective][tree]") {
  const Cluster c = make_cluster(load_instance_by_name("p4d.24xlarge"), 4);
  const PhaseShape shape{"test", 8.4e-6, 4e-6, 164e-6, 1.0, 1.0, {}};
  const CollectivePlan plan = plan_tree_all_reduce(c, world_group(c), 8, shape);
  REQUIRE(plan.phases.size() == 1);
  const double latency_s = std::get<TransferPhase>(plan.phases[0]).latency_s;
  CHECK(latency_s == Approx(8.4e-6 + 2 * (7 * 4e-6 + 2 * 164e-6)).epsilon(1e-12));
  // 8 bytes: latency only, to within the transfer of 8 / (2 x 4) bytes per edge.
  CHECK(simulate_collective(c, plan).time_s == Approx(latency_s).epsilon(1e-3));
}

TEST_CASE("only the all-reduce runs as a tree, and only on uniform groups", "[collective][tree]") {
  const Cluster c = make_cluster(load_instance_by_name("p4d.24xlarge"), 2);
  CHECK_THROWS_WITH(plan_collective(c, CollectiveKind::all_gather, Algorithm::tree, world_group(c), 1024),
                    Catch::Contains("no tree all_gather"));
  CHECK_THROWS_WITH(plan_tree_all_reduce(c, {0, 1, 8}, 1024), Catch::Contains("same local ranks"));
  CHECK_THROWS_AS(collective_phases(CollectiveKind::all_reduce, Algorithm::tree, {2, 8}, 1024), InputError);
}

namespace {

double bytes_on_template_link(const Cluster& c, const CollectivePlan& plan, int node, int template_link) {
  double bytes = 0;
  std::vector<int> links;
  for (const auto& phase : plan.phases)
    for (const Transfer& t : std::get<TransferPhase>(phase).transfers) {
      links.clear();
      transfer_route(c, t, links);
      for (int l : links)
        if (l == c.global_link(node, template_link)) bytes += t.bytes;
    }
  return bytes;
}

int nvswitch_link(const InstanceType& inst, int gpu, bool up) {
  for (int l = 0; l < inst.links_per_node(); ++l) {
    const Link& link = inst.links[l];
    if ((up ? link.from : link.to) == gpu && inst.devices[up ? link.to : link.from].kind == DeviceKind::nvswitch) return l;
  }
  return -1;
}

}  // namespace

TEST_CASE("the NVLS-tree all-reduce sends every GPU's vector through the NVSwitch once, in one phase", "[collective][tree][nvls]") {
  const Cluster c = make_cluster(load_instance_by_name("p5.48xlarge"), 2);
  const double M = 1 << 30;
  const CollectivePlan plan = plan_collective(c, CollectiveKind::all_reduce, Algorithm::nvls_tree, world_group(c), M);
  REQUIRE(plan.phases.size() == 1);  // scatter, reduce, broadcast and gather run at once (all_reduce.h)
  CHECK(plan.algorithm == Algorithm::nvls_tree);
  CHECK(plan.channels == 8);  // one head per NIC
  // Per node: every GPU up to and down from the switch, every head's reduced slice down and its
  // multicast up, and one tree edge each way per head (each node is a child in one of the two trees).
  CHECK(std::get<TransferPhase>(plan.phases[0]).transfers.size() == 2 * (8 * 2 + 8 * 2 + 8 * 2));
  for (int gpu : {0, 5}) {
    // multimem.ld_reduce reads the whole vector; the head's multimem.st writes its 1/8 back.
    CHECK(bytes_on_template_link(c, plan, 1, nvswitch_link(c.instance, gpu, true)) == Approx(M + M / 8).epsilon(1e-12));
    // Its slice's sum, then the multicast of the whole reduced vector.
    CHECK(bytes_on_template_link(c, plan, 1, nvswitch_link(c.instance, gpu, false)) == Approx(M / 8 + M).epsilon(1e-12));
  }
  const CollectiveResult r = simulate_collective(c, plan);
  CHECK(r.network_bytes_per_node == Approx(M).epsilon(1e-12));  // the heads' trees carry M into each node
  // Nothing contends but the collective itself: the event simulation is the busiest-link closed form.
  CHECK(r.time_s == Approx(formula_time_s(c, plan)).epsilon(1e-9));
}

TEST_CASE("a shaped NVLS tree pays NCCL's latency: base + intra + 2 log2(n) inter", "[collective][tree][nvls]") {
  const Cluster c = make_cluster(load_instance_by_name("p5.48xlarge"), 4);
  PhaseShape shape{"test", 1e-6, 25e-6, 60.9e-6, 1.0, 1.0, {}};
  shape.switch_efficiency = 0.85;
  const CollectivePlan plan = plan_nvls_tree_all_reduce(c, world_group(c), 8, shape);
  const double latency_s = std::get<TransferPhase>(plan.phases[0]).latency_s;
  CHECK(latency_s == Approx(1e-6 + 25e-6 + 2 * 2 * 60.9e-6).epsilon(1e-12));
  CHECK(simulate_collective(c, plan).time_s == Approx(latency_s).epsilon(1e-3));
  // The switch efficiency grows the NVSwitch bytes only, not the inter-node tree's.
  const CollectivePlan big = plan_nvls_tree_all_reduce(c, world_group(c), 1 << 30, shape);
  CHECK(bytes_on_template_link(c, big, 0, nvswitch_link(c.instance, 3, true)) == Approx((1 << 30) * 1.125 / 0.85).epsilon(1e-12));
}

TEST_CASE("NVLS-tree needs an NVSwitch and runs all-reduce only", "[collective][tree][nvls]") {
  const Cluster p3dn = make_cluster(load_instance_by_name("p3dn.24xlarge"), 2);
  CHECK_THROWS_WITH(plan_collective(p3dn, CollectiveKind::all_reduce, Algorithm::nvls_tree, world_group(p3dn), 1024),
                    Catch::Contains("no NVLink to an NVSwitch"));
  const Cluster p5 = make_cluster(load_instance_by_name("p5.48xlarge"), 2);
  CHECK_THROWS_WITH(plan_collective(p5, CollectiveKind::all_gather, Algorithm::nvls_tree, world_group(p5), 1024),
                    Catch::Contains("no NVLS-tree all_gather"));
  CHECK_THROWS_WITH(plan_nvls_tree_all_reduce(p5, {0, 8}, 1024), Catch::Contains("at least 2 GPUs per node"));
  CHECK_THROWS_AS(collective_phases(CollectiveKind::all_reduce, Algorithm::nvls_tree, {2, 8}, 1024), InputError);
}

TEST_CASE("on seven nodes the reduction and the broadcast share the links at once, as the closed form says", "[collective][tree]") {
  // Each node is interior in one tree and a leaf in the other, so each direction of its NIC
  // carries 4 shares of M/2 whether the two halves run together or one after the other; together,
  // the busiest link's bytes at its capacity plus the latency down and up the depth.
  const Cluster c = make_cluster(load_instance_by_name("p4d.24xlarge"), 7);
  const std::vector<int> one_per_node{0, 8, 16, 24, 32, 40, 48};
  const double M = 7e8;
  const CollectivePlan plan = plan_tree_all_reduce(c, one_per_node, M);
  REQUIRE(plan.phases.size() == 1);
  const CollectiveResult r = simulate_collective(c, plan);
  CHECK(r.time_s == Approx(formula_time_s(c, plan)).epsilon(1e-9));
  CHECK(r.network_bytes_per_node == Approx(4 * M / 2).epsilon(1e-12));
}

TEST_CASE("NCCL's NVLS all-reduce on one H100 node runs as NVLink SHARP flows at NCCL's NVLS latency", "[collective][tree][nccl]") {
  const Cluster c = make_cluster(load_instance_by_name("p5.48xlarge"), 1);
  const LibraryPlan lp = plan_on_library(c, load_collective_library("2.28", c.instance), CollectiveKind::all_reduce,
                                         Algorithm::ring, world_group(c), 4 << 20);
  REQUIRE(lp.choice);
  REQUIRE(lp.choice->algorithm == NcclAlgorithm::nvls);  // nccl_cases_test: "p5 x1 AR 4 MiB 2.28"
  CHECK(lp.simulated_as == "nvls");
  REQUIRE(lp.plan.phases.size() == 1);
  const auto& phase = std::get<TransferPhase>(lp.plan.phases[0]);
  // NCCL's NVLS latency, hwLat[NVLINK][NVLS][Simple] = 25 us, and no network part.
  CHECK(phase.latency_s == Approx(lp.choice->latency_us * 1e-6).epsilon(1e-12));
  for (const Transfer& t : phase.transfers) CHECK(t.path != TransferPath::gpu_to_gpu);
  const CollectiveResult r = simulate_collective(c, lp.plan);
  CHECK(r.network_bytes_per_node == 0);
  CHECK(r.time_s == Approx(formula_time_s(c, lp.plan)).epsilon(1e-9));
}
