// NCCL's double binary tree all-reduce as transfers: exact byte counts, the mirrored trees, the
// depth latency, and the event simulation against its contention-free closed form.
#include "sim/collectives/plan.hpp"
#include "sim/collectives/tree_plan.hpp"
#include "sim/collsim/collective_execution.hpp"
#include "sim/collsim/formula_estimate.hpp"
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

TEST_CASE("the tree all-reduce moves M in and out of every node of two, in two phases", "[collective][tree]") {
  const Cluster c = make_cluster(load_instance_by_name("p4de.24xlarge"), 2);
  const double M = 1 << 30;
  const CollectivePlan plan = plan_collective(c, CollectiveKind::all_reduce, Algorithm::tree, world_group(c), M);
  REQUIRE(plan.phases.size() == 2);
  CHECK(plan.channels == 4);  // one channel per NIC of the node
  const auto& reduce = std::get<TransferPhase>(plan.phases[0]);
  // Per channel and tree: 7 chain hops in each of the 2 nodes plus 1 tree edge, each M / (2 x 4).
  CHECK(reduce.transfers.size() == 4 * 2 * (2 * 7 + 1));
  CHECK(transfer_bytes(reduce) == 4 * 2 * (2 * 7 + 1) * (M / 8));
  const CollectiveResult r = simulate_collective(c, plan);
  // Each node is the root of one tree and a leaf of the other: M/2 enters it in each phase.
  CHECK(r.network_bytes_per_node == M);
  CHECK(r.model_used == FlowModel::per_flow);
  // Nothing contends but the tree itself, so the event simulation is the busiest-link closed form.
  CHECK(r.time_s == Approx(formula_time_s(c, plan)).epsilon(1e-9));
}

TEST_CASE("the second tree mirrors the first: every node is interior in at most one", "[collective][tree]") {
  const Cluster c = make_cluster(load_instance_by_name("p4d.24xlarge"), 7);
  const std::vector<int> one_per_node{0, 8, 16, 24, 32, 40, 48};
  const CollectivePlan plan = plan_tree_all_reduce(c, one_per_node, 7e6);
  const auto& reduce = std::get<TransferPhase>(plan.phases[0]);
  // One channel (GPU 0's NIC), two trees of 6 edges each, no chain.
  REQUIRE(reduce.transfers.size() == 12);
  std::map<int, int> children_in_first, children_in_second;
  for (std::size_t i = 0; i < reduce.transfers.size(); ++i)
    ++(i < 6 ? children_in_first : children_in_second)[reduce.transfers[i].to];
  for (int node : one_per_node) CHECK((children_in_first.count(node) == 0 || children_in_second.count(node) == 0));
}

TEST_CASE("a shaped tree pays NCCL's latency: base + 2((k-1) intra + log2(n) inter)", "[collective][tree]") {
  const Cluster c = make_cluster(load_instance_by_name("p4d.24xlarge"), 4);
  const PhaseShape shape{"test", 8.4e-6, 4e-6, 164e-6, 1.0};
  const CollectivePlan plan = plan_tree_all_reduce(c, world_group(c), 8, shape);
  const double latency_s = std::get<TransferPhase>(plan.phases[0]).latency_s + std::get<TransferPhase>(plan.phases[1]).latency_s;
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
