// NCCL's PAT all-gather and reduce-scatter as transfers: exact byte counts per step and per rank,
// the distances, NCCL's PAT latency, the event simulation against its contention-free closed
// form, and the hierarchical plan's phases run as the NCCL calls NCCL would pick for them.
#include "sim/collectives/pat_plan.hpp"
#include "sim/collectives/plan.hpp"
#include "sim/collsim/collective_execution.hpp"
#include "sim/collsim/formula_estimate.hpp"
#include "sim/collsim/library_plan.hpp"
#include "sim/input/input_error.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace shardsim;

namespace {

std::vector<int> one_per_node(const Cluster& c) {
  std::vector<int> g;
  for (int node = 0; node < c.nodes; ++node) g.push_back(node * c.instance.gpus_per_node);
  return g;
}

int distance_of(const Transfer& t, const std::vector<int>& group) {
  const auto pos = [&](int r) { return static_cast<int>(std::find(group.begin(), group.end(), r) - group.begin()); };
  const int n = static_cast<int>(group.size());
  return (pos(t.from) - pos(t.to) + n) % n;
}

}  // namespace

TEST_CASE("PAT all-gather: ceil(log2 n) steps at distances 1, 2, 4, each rank sending (n-1)/n of M", "[collective][pat]") {
  CHECK(pat_steps(1) == 0);
  CHECK(pat_steps(2) == 1);
  CHECK(pat_steps(16) == 4);
  CHECK(pat_steps(17) == 5);
  for (int n : {16, 6}) {
    const Cluster c = make_cluster(load_instance_by_name("p4d.24xlarge"), n);
    const std::vector<int> group = one_per_node(c);
    const double M = n * 1048576.0;
    const CollectivePlan plan = plan_pat(c, CollectiveKind::all_gather, group, M);
    REQUIRE(static_cast<int>(plan.phases.size()) == pat_steps(n));
    CHECK(plan.sequential_steps() == pat_steps(n));
    std::map<int, double> sent;
    for (std::size_t i = 0; i < plan.phases.size(); ++i) {
      const auto& step = std::get<TransferPhase>(plan.phases[i]);
      REQUIRE(static_cast<int>(step.transfers.size()) == n);
      const int distance = 1 << i;
      for (const Transfer& t : step.transfers) {
        CHECK(distance_of(t, group) == distance);
        // Bruck: min(2^d, n - 2^d) shards of M/n (n = 6: 1, 2, 2 shards).
        CHECK(t.bytes == std::min(distance, n - distance) * (M / n));
        sent[t.from] += t.bytes;
      }
    }
    for (int r : group) CHECK(sent[r] == (n - 1) * (M / n));
  }
}

TEST_CASE("PAT reduce-scatter mirrors the all-gather: the widest distance first", "[collective][pat]") {
  const Cluster c = make_cluster(load_instance_by_name("p4d.24xlarge"), 8);
  const std::vector<int> group = one_per_node(c);
  const CollectivePlan plan = plan_collective(c, CollectiveKind::reduce_scatter, Algorithm::pat, group, 8 << 20);
  REQUIRE(plan.phases.size() == 3);
  const int expected[] = {4, 2, 1};
  for (int i = 0; i < 3; ++i)
    for (const Transfer& t : std::get<TransferPhase>(plan.phases[i]).transfers) CHECK(distance_of(t, group) == expected[i]);
}

TEST_CASE("PAT runs only all-gather and reduce-scatter, at one rank per node, inside NCCL", "[collective][pat]") {
  const Cluster c = make_cluster(load_instance_by_name("p4d.24xlarge"), 4);
  CHECK_THROWS_WITH(plan_pat(c, CollectiveKind::all_reduce, one_per_node(c), 1024), Catch::Contains("no PAT all_reduce"));
  CHECK_THROWS_WITH(plan_pat(c, CollectiveKind::all_gather, {0, 1, 8}, 1024), Catch::Contains("one rank per node"));
  CHECK_THROWS_AS(collective_phases(CollectiveKind::all_gather, Algorithm::pat, {4, 1}, 1024), InputError);
}

TEST_CASE("a PAT call NCCL picks pays NCCL's PAT latency and, alone, its busiest-link closed form", "[collective][pat]") {
  const Cluster c = make_cluster(load_instance_by_name("p4d.24xlarge"), 16);
  const CollectiveLibrary nccl = load_collective_library("2.28", c.instance);
  const std::vector<int> group = one_per_node(c);
  // 8 bytes: NCCL 2.28 picks PAT Simple; its latency is 8 + 16 x 2.8 + log2(16) x (14 + 75 + 75) / 3.5
  // (nccl-tuning-model.md §1.4, the plugin's 75 us twice for Simple).
  const LibraryPlan small = plan_on_library(c, nccl, CollectiveKind::all_gather, Algorithm::ring, group, 8);
  REQUIRE(small.choice);
  CHECK(small.choice->algorithm == NcclAlgorithm::pat);
  CHECK(small.simulated_as == "pat");
  const double nccl_latency_s = (8 + 16 * 2.8 + 4 * 164 / 3.5) * 1e-6;
  CHECK(small.choice->latency_us * 1e-6 == Approx(nccl_latency_s).epsilon(1e-9));
  CHECK(simulate_collective(c, small.plan).time_s == Approx(nccl_latency_s).epsilon(1e-3));
  // 4 MiB, still PAT: nothing contends (each step's transfers use distinct NICs both ways), so the
  // event simulation is the per-step busiest-link closed form.
  const LibraryPlan mid = plan_on_library(c, nccl, CollectiveKind::reduce_scatter, Algorithm::ring, group, 4 << 20);
  REQUIRE(mid.choice->algorithm == NcclAlgorithm::pat);
  const CollectiveResult r = simulate_collective(c, mid.plan);
  CHECK(r.steps == 4);
  CHECK(r.time_s == Approx(formula_time_s(c, mid.plan)).epsilon(1e-9));
  // Every rank sends the same bytes the same distance along the group: node-symmetric, one
  // representative node's flows standing for all 16, with the same answer as every flow.
  CHECK(r.model_used == FlowModel::node_symmetric);
  const CollectiveResult every = simulate_collective(c, mid.plan, FlowModel::per_flow);
  CHECK(every.model_used == FlowModel::per_flow);
  CHECK(every.time_s == Approx(r.time_s).epsilon(1e-12));
  CHECK(every.network_bytes_per_node == r.network_bytes_per_node);
  CHECK(r.simulated_flows * 16 == every.simulated_flows);
}

TEST_CASE("each phase of the hierarchical plan runs as the NCCL call NCCL picks for its own shape", "[collective][pat][hierarchical]") {
  const Cluster c = make_cluster(load_instance_by_name("p4d.24xlarge"), 16);
  const std::vector<int> world = world_group(c);
  const double M = 4 << 20;
  // NCCL 2.28: the inter-node all-gather (one rank per node, M/8) is PAT; the intra-node ones rings.
  const LibraryPlan now = plan_on_library(c, load_collective_library("2.28", c.instance), CollectiveKind::all_gather,
                                          Algorithm::hierarchical, world, M);
  CHECK_THAT(now.simulated_as, Catch::StartsWith("hierarchical: inter_node all_gather as pat Simple; intra_node all_gather as ring"));
  int transfer_phases = 0;
  for (const auto& phase : now.plan.phases)
    if (const auto* t = std::get_if<TransferPhase>(&phase)) {
      ++transfer_phases;
      CHECK(t->transfers.size() == 8 * 16);  // the 8 inter-node groups (one per local rank) at once
    }
  CHECK(transfer_phases == 4);
  // NCCL's calls: the inter-node all-gather, then one intra-node all-gather per node block; NCCL's
  // predicted time for the plan is theirs summed, and so is its latency.
  REQUIRE(now.phase_calls.size() == 1 + 16);
  CHECK(now.phase_calls.front().choice.algorithm == NcclAlgorithm::pat);
  CHECK(now.phase_calls.back().choice.algorithm == NcclAlgorithm::ring);
  double nccl_s = 0, latency_s = 0;
  for (const NcclPhaseCall& call : now.phase_calls) {
    nccl_s += call.choice.time_s;
    latency_s += call.choice.latency_us * 1e-6;
  }
  CHECK(now.nccl_time_s() == nccl_s);
  CHECK(now.nccl_latency_s() == latency_s);
  CHECK_FALSE(now.choice);
  CHECK(now.plan.sequential_steps() == 4 + 16 * 7);
  const CollectiveResult r = simulate_collective(c, now.plan);
  CHECK(r.steps == 4 + 16 * 7);
  CHECK(r.model_used == FlowModel::node_symmetric);
  CHECK(simulate_collective(c, now.plan, FlowModel::per_flow).time_s == Approx(r.time_s).epsilon(1e-12));
  // Network bytes per node: what each of its 8 GPUs sends across, (n-1)/n of M/8 at PAT's 0.75.
  CHECK(r.network_bytes_per_node == Approx(8 * (15.0 / 16) * (M / 8) / 0.75).epsilon(1e-12));

  // NCCL 2.12 has no PAT: the same phase is a ring.
  const LibraryPlan then = plan_on_library(c, load_collective_library("2.12", c.instance), CollectiveKind::all_gather,
                                           Algorithm::hierarchical, world, M);
  CHECK_THAT(then.simulated_as, Catch::StartsWith("hierarchical: inter_node all_gather as ring"));
  CHECK(then.plan.only_rings());

  // A hierarchical all-reduce's inter-node all-reduce, one rank per node, is a tree where NCCL picks one.
  const Cluster four = make_cluster(load_instance_by_name("p4d.24xlarge"), 4);
  const LibraryPlan ar = plan_on_library(four, load_collective_library("2.28", four.instance), CollectiveKind::all_reduce,
                                         Algorithm::hierarchical, world_group(four), 1 << 20);
  CHECK_THAT(ar.simulated_as, Catch::Contains("inter_node all_reduce as tree"));
}
