// Why the flows differ from NCCL's own formula (collsim/nccl_comparison.hpp): each mechanism named
// where it applies, none where the two agree or NCCL made no choice.
#include "sim/collectives/plan.hpp"
#include "sim/collsim/collective_execution.hpp"
#include "sim/collsim/formula_estimate.hpp"
#include "sim/collsim/nccl_comparison.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>

using namespace shardsim;
using Catch::Matchers::Contains;

namespace {

struct Compared {
  LibraryPlan plan;
  NcclComparison comparison;
};

Compared compare(const Cluster& c, const std::string& library_name, CollectiveKind kind, const std::vector<int>& group, double bytes) {
  const CollectiveLibrary library = load_collective_library(library_name, c.instance);
  Compared out{plan_on_library(c, library, kind, Algorithm::ring, group, bytes), {}};
  const CollectiveResult r = simulate_collective(c, out.plan.plan, FlowModel::automatic);
  out.comparison = compare_with_nccl(c, library, kind, group, bytes, out.plan, r.time_s, formula_time_s(c, out.plan.plan));
  return out;
}

bool names(const NcclComparison& c, const std::string& text) {
  return std::any_of(c.reasons.begin(), c.reasons.end(), [&](const std::string& r) { return r.find(text) != std::string::npos; });
}

}  // namespace

TEST_CASE("the flows' physical latency and NCCL's declared one are named where they differ", "[collective][nccl]") {
  const Cluster c = make_cluster(load_instance_by_name("p5.48xlarge"), 2);
  const Compared small = compare(c, "2.28", CollectiveKind::all_reduce, world_group(c), 8);
  CHECK(small.comparison.relative_difference < -0.5);  // 65 us against NCCL's 175 us
  CHECK(names(small.comparison, "physical 20 us"));
  CHECK(names(small.comparison, "declared 75 us"));
  CHECK_FALSE(names(small.comparison, "contention"));
}

TEST_CASE("NCCL's tree correction factor is named for a two-node tree all-reduce", "[collective][nccl]") {
  const Cluster c = make_cluster(load_instance_by_name("p4de.24xlarge"), 2);
  const Compared r = compare(c, "2.12", CollectiveKind::all_reduce, world_group(c), 1 << 20);
  REQUIRE(r.plan.choice);
  CHECK(r.plan.choice->algorithm == NcclAlgorithm::tree);
  CHECK(r.plan.choice->protocol == NcclProtocol::ll128);
  // 2^20 >> 6 = 2^14: entry 14 of LL128's row, 0.6 (nccl-tuning-model.md §1.2).
  CHECK(names(r.comparison, "scales Tree's bandwidth by 0.60 at this size (its tree correction factor)"));
}

TEST_CASE("contention and an uneven group are named, and nothing where NCCL made no choice", "[collective][nccl]") {
  const Cluster c = make_cluster(load_instance_by_name("p4d.24xlarge"), 4);
  std::vector<int> group(16);
  std::iota(group.begin(), group.end(), 0);
  for (int r : {24, 25, 26, 27}) group.push_back(r);  // two full nodes and half of a fourth
  const Compared uneven = compare(c, "2.28", CollectiveKind::all_gather, group, 256.0 * (1 << 20));
  CHECK(names(uneven.comparison, "uneven group: 4 to 8 ranks per node"));
  CHECK(names(uneven.comparison, "contention"));
  // Gloo: no NCCL choice to compare with.
  const Compared gloo = compare(c, "gloo", CollectiveKind::all_gather, world_group(c), 256.0 * (1 << 20));
  CHECK_FALSE(gloo.plan.choice);
  CHECK(gloo.comparison.reasons.empty());
  // A simulated time equal to NCCL's: they agree, nothing to explain.
  const CollectiveLibrary library = load_collective_library("2.28", c.instance);
  const LibraryPlan lp = plan_on_library(c, library, CollectiveKind::all_gather, Algorithm::ring, world_group(c), 1 << 30);
  REQUIRE(lp.choice);
  const NcclComparison same = compare_with_nccl(c, library, CollectiveKind::all_gather, world_group(c), 1 << 30, lp, lp.choice->time_s, lp.choice->time_s);
  CHECK(same.relative_difference == 0);
  CHECK(same.reasons.empty());
}

TEST_CASE("a hierarchical plan is compared with NCCL's formula summed over its calls", "[collective][nccl][hierarchical]") {
  const Cluster c = make_cluster(load_instance_by_name("p4d.24xlarge"), 16);
  const CollectiveLibrary library = load_collective_library("2.28", c.instance);
  const double bytes = 256.0 * (1 << 20);
  const LibraryPlan lp = plan_on_library(c, library, CollectiveKind::all_gather, Algorithm::hierarchical, world_group(c), bytes);
  REQUIRE(lp.phase_calls.size() == 17);
  const CollectiveResult r = simulate_collective(c, lp.plan);
  const NcclComparison versus = compare_with_nccl(c, library, CollectiveKind::all_gather, world_group(c), bytes, lp, r.time_s,
                                                  formula_time_s(c, lp.plan));
  CHECK(versus.relative_difference == Approx(r.time_s / lp.nccl_time_s() - 1).epsilon(1e-12));
  // NCCL prices each of the 8 concurrent inter-node calls alone, on a whole channel; they share 4 NICs.
  CHECK(versus.relative_difference > 0.5);
  CHECK(names(versus, "summed over the plan's 17 calls"));
  CHECK(names(versus, "the 8 inter-node calls run at once and share each node's NICs"));
}

TEST_CASE("the closed form pays NCCL's shape as the flows do, so alone on the network they agree", "[collective][nccl]") {
  // 906 MB over 512 p4d GPUs, NCCL 2.28: a ring at LL128's 79 us per node crossing and its 120/128
  // wire bytes. Before the closed form used the routes' latencies and every byte useful, and the
  // comparison blamed the difference on contention.
  const Cluster c = make_cluster(load_instance_by_name("p4d.24xlarge"), 64);
  const Compared r = compare(c, "2.28", CollectiveKind::all_gather, world_group(c), 906e6);
  REQUIRE(r.plan.choice);
  CHECK(r.plan.choice->protocol == NcclProtocol::ll128);
  const CollectiveResult flows = simulate_collective(c, r.plan.plan);
  CHECK(flows.time_s == Approx(formula_time_s(c, r.plan.plan)).epsilon(1e-9));
  CHECK_FALSE(names(r.comparison, "contention"));
  CHECK(names(r.comparison, "bandwidth"));
  // LL128's steps are one message each, 8 in flight, at 79 us: the FIFO does not bind.
  CHECK_FALSE(fifo_bound_step(c, r.plan.plan));
  CHECK_FALSE(names(r.comparison, "FIFO"));
}

TEST_CASE("a ring step bounded by its connections' FIFO is named, and the closed form pays the same floor", "[collective][nccl]") {
  // 1 GiB over 512 p4d GPUs, NCCL 2.12: Simple steps of 262 KB per channel, 2 slices each, 4 slices
  // in flight per connection, 150 us per node crossing (the plugin of the time): each step waits
  // (2 x 150 us + its transfer) / 4 for slots, more than the wire's 52 us.
  const Cluster c = make_cluster(load_instance_by_name("p4d.24xlarge"), 64);
  const Compared r = compare(c, "2.12", CollectiveKind::all_gather, world_group(c), 1073741824.0);
  REQUIRE(r.plan.choice);
  CHECK(r.plan.choice->protocol == NcclProtocol::simple);
  const auto bound = fifo_bound_step(c, r.plan.plan);
  REQUIRE(bound);
  CHECK(bound->messages == 2);
  CHECK(bound->in_flight == 4);
  CHECK(bound->hop_latency_s == Approx(150e-6));
  CHECK(bound->floor_s > bound->other_s);
  const CollectiveResult flows = simulate_collective(c, r.plan.plan);
  CHECK(flows.time_s == Approx(formula_time_s(c, r.plan.plan)).epsilon(1e-9));
  CHECK(flows.time_s >= 511 * bound->floor_s);
  CHECK(names(r.comparison, "FIFO"));
  // The closed form's shares: the FIFO's is what the bound adds over the unbounded ring's time.
  const ClosedFormShares shares = closed_form_shares(c, r.plan.plan);
  CollectivePlan unbounded = r.plan.plan;
  std::get<RingPhase>(unbounded.phases.front()).shape->fifo = ConnectionFifo{};
  const double full_s = formula_time_s(c, r.plan.plan);
  CHECK(shares.fifo == Approx(1 - formula_time_s(c, unbounded) / full_s).epsilon(1e-12));
  CHECK(shares.fifo > 0.2);
  CHECK(shares.latency >= 0);
  CHECK(shares.latency + shares.fifo < 1);
  CHECK_FALSE(names(r.comparison, "contention"));
}
