#include "sim/collectives/plan.hpp"
#include "sim/collsim/collective_execution.hpp"
#include "sim/collsim/formula_estimate.hpp"
#include "sim/formulas/alpha_beta.hpp"
#include "sim/input/input_error.hpp"
#include "tests/support/test_data.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numeric>
#include <utility>

using namespace shardsim;

namespace {

std::vector<int> range(int begin, int end) {
  std::vector<int> v(end - begin);
  std::iota(v.begin(), v.end(), begin);
  return v;
}

double relative_error(double a, double b) { return std::abs(a - b) / std::abs(b); }

// Route latency and narrowest capacity between two ranks.
std::pair<double, double> hop(const Cluster& c, int src, int dst) {
  std::vector<int> links;
  const double latency = c.route(src, dst, links);
  double capacity = std::numeric_limits<double>::infinity();
  for (int l : links) capacity = std::min(capacity, c.link(l).capacity_Bps);
  return {latency, capacity};
}

// The emulated cluster's topology (2 ranks a node, slow node crossings) with a reduction rate.
InstanceType emulated_with_reduce_rate(const std::string& rate) {
  std::ifstream in(test::data_path("topologies/emulated-k2.json"));
  nlohmann::json doc = nlohmann::json::parse(in);
  doc["gpu"]["reduce_bandwidth"] = rate;
  // One file per process and rate: ctest runs test cases in parallel processes, and a shared path
  // let one read what another was still writing.
  const auto path = (std::filesystem::temp_directory_path() /
                     ("shardsim-test-emulated-reduce-" + rate + "-" + std::to_string(::getpid()) + ".json"))
                        .string();
  std::ofstream(path) << doc.dump();
  InstanceType inst = load_instance_type(path);
  std::filesystem::remove(path);
  return inst;
}

}  // namespace

TEST_CASE("on a uniform topology ring collectives match the alpha-beta closed form to 1e-9", "[collective]") {
  const InstanceType inst = load_instance_type(test::data_path("tests/data/uniform-1gpu.json"));
  // Route gpu -> nic -> leaf -> network -> leaf -> nic -> gpu: 6 links of 1 us; every link 10 GB/s.
  const RingCost cost = alpha_beta_cost(6e-6, 10e9);
  const double bytes = 1073741824.0;
  for (int p : {2, 3, 4, 5, 7, 8, 16, 33, 100, 128, 256, 512, 1000, 1024}) {
    const Cluster c = make_cluster(inst, p);
    for (auto kind : {CollectiveKind::all_gather, CollectiveKind::reduce_scatter, CollectiveKind::all_reduce}) {
      INFO("p = " << p << ", " << to_string(kind));
      const auto plan = plan_collective(c, kind, Algorithm::ring, world_group(c), bytes);
      const auto r = simulate_collective(c, plan);
      CHECK(relative_error(r.time_s, ring_time(kind, p, bytes, cost)) < 1e-9);
      if (p <= 64) {
        const auto per_flow = simulate_collective(c, plan, FlowModel::per_flow);
        CHECK(relative_error(per_flow.time_s, ring_time(kind, p, bytes, cost)) < 1e-9);
      }
    }
  }
}

TEST_CASE("flat rings across nodes use every NIC: the shipped instances match their closed form", "[collective]") {
  // p5 has one GPU behind each NIC: if the channels all left a node through the same GPU, one NIC
  // would carry eight channels and the all-reduce would take 6x its closed form.
  for (const char* name : {"p3dn.24xlarge", "p4d.24xlarge", "p4de.24xlarge", "p5.48xlarge"}) {
    INFO(name);
    const Cluster c = make_cluster(load_instance_by_name(name), 2);
    const auto plan = plan_collective(c, CollectiveKind::all_reduce, Algorithm::ring, world_group(c), 1073741824.0);
    CHECK(relative_error(simulate_collective(c, plan).time_s, formula_time_s(c, plan)) < 1e-9);
  }
}

TEST_CASE("network bytes per node: flat (p-1)/p M, hierarchical (p-k)/p M, exactly", "[collective]") {
  const InstanceType inst = load_instance_by_name("p4d.24xlarge");
  const double M = 1073741824.0;
  const int k = 8;
  for (int p : {16, 32, 128}) {
    INFO("p = " << p);
    const Cluster c = make_cluster(inst, p / k);
    const auto flat = simulate_collective(c, plan_collective(c, CollectiveKind::all_gather, Algorithm::ring, world_group(c), M));
    CHECK(flat.network_bytes_per_node == static_cast<double>(p - 1) / p * M);
    const auto hier = simulate_collective(c, plan_collective(c, CollectiveKind::all_gather, Algorithm::hierarchical, world_group(c), M));
    CHECK(hier.network_bytes_per_node == static_cast<double>(p - k) / p * M);
    const auto rs = simulate_collective(c, plan_collective(c, CollectiveKind::reduce_scatter, Algorithm::hierarchical, world_group(c), M));
    CHECK(rs.network_bytes_per_node == static_cast<double>(p - k) / p * M);
    const auto ar = simulate_collective(c, plan_collective(c, CollectiveKind::all_reduce, Algorithm::ring, world_group(c), M));
    CHECK(ar.network_bytes_per_node == 2.0 * (p - 1) / p * M);
    CHECK(flat.steps == p - 1);
    // p/k - 1 node crossings (against p - 1), then one (k-1)-step gather per node block as
    // DeepSpeed's MiCS gather runs it: as many sequential steps as the flat ring, far fewer of
    // them across the network.
    CHECK(hier.steps == (p / k - 1) + (p / k) * (k - 1));
    CHECK(hier.steps == hierarchical_steps(CollectiveKind::all_gather, p, k));
  }
}

TEST_CASE("the node-symmetric path equals the per-flow path wherever both run", "[collective]") {
  struct Case { const char* instance; int nodes; std::vector<int> group; };
  const std::vector<Case> cases = {
      {"p4d.24xlarge", 4, range(0, 32)},
      {"p4d.24xlarge", 4, range(8, 24)},   // a group on nodes 1-2 of 4
      {"p3dn.24xlarge", 3, range(0, 24)},  // cube-mesh, one NIC behind PCIe
      {"p5.48xlarge", 2, range(0, 16)},
      {"p4d.24xlarge", 2, {0, 1, 2, 3, 8, 9, 10, 11}},  // half of each node
  };
  const double M = 256.0 * 1024 * 1024;
  for (const auto& tc : cases) {
    const Cluster c = make_cluster(load_instance_by_name(tc.instance), tc.nodes);
    for (auto algo : {Algorithm::ring, Algorithm::hierarchical})
      for (auto kind : {CollectiveKind::all_gather, CollectiveKind::reduce_scatter, CollectiveKind::all_reduce}) {
        INFO(tc.instance << " x " << tc.nodes << " " << to_string(algo) << " " << to_string(kind));
        const auto plan = plan_collective(c, kind, algo, tc.group, M);
        const auto fast = simulate_collective(c, plan, FlowModel::node_symmetric);
        const auto slow = simulate_collective(c, plan, FlowModel::per_flow);
        CHECK(fast.model_used == FlowModel::node_symmetric);
        CHECK(relative_error(fast.time_s, slow.time_s) < 1e-9);
        CHECK(fast.network_bytes_per_node == Approx(slow.network_bytes_per_node).epsilon(1e-12));
        CHECK(fast.simulated_flows < slow.simulated_flows);
      }
  }
}

TEST_CASE("where symmetry breaks the per-flow path runs", "[collective]") {
  const Cluster c = make_cluster(load_instance_by_name("p4d.24xlarge"), 2);
  const auto plan = plan_collective(c, CollectiveKind::all_gather, Algorithm::ring, range(0, 10), 1 << 26);
  CHECK(simulate_collective(c, plan).model_used == FlowModel::per_flow);
  CHECK_THROWS_AS(simulate_collective(c, plan, FlowModel::node_symmetric), InputError);
}

TEST_CASE("contention: two GPUs behind one NIC share it", "[collective]") {
  // p4d: GPUs 0 and 1 share nic0. Two inter-node rings at once (local ranks 0 and 1) each get half
  // the NIC; the same rings over local ranks 0 and 2 (different NICs) each get a whole one.
  const Cluster c = make_cluster(load_instance_by_name("p4d.24xlarge"), 2);
  const double M = 1 << 28;
  CollectivePlan shared = plan_collective(c, CollectiveKind::all_gather, Algorithm::hierarchical, {0, 1, 8, 9}, M);
  CollectivePlan apart = plan_collective(c, CollectiveKind::all_gather, Algorithm::hierarchical, {0, 2, 8, 10}, M);
  const double t_shared = simulate_collective(c, shared).time_s;
  const double t_apart = simulate_collective(c, apart).time_s;
  CHECK(t_shared > 1.5 * t_apart);
}

TEST_CASE("bad collective requests", "[collective]") {
  const Cluster c = make_cluster(load_instance_by_name("p4d.24xlarge"), 2);
  CHECK_THROWS_WITH(plan_collective(c, CollectiveKind::all_gather, Algorithm::ring, {0, 99}, 1024), Catch::Contains("outside the cluster"));
  CHECK_THROWS_WITH(plan_collective(c, CollectiveKind::all_gather, Algorithm::ring, {0, 0}, 1024), Catch::Contains("twice"));
  CHECK_THROWS_WITH(plan_collective(c, CollectiveKind::all_gather, Algorithm::hierarchical, {0, 1, 8}, 1024), Catch::Contains("same local ranks"));
  CHECK_THROWS_AS(parse_collective_kind("all_to_all"), InputError);
}

TEST_CASE("a ring is a pipeline: node crossings are paid once along a chunk's path and hide behind a slow link",
          "[collective]") {
  // 4 nodes x 2 ranks, one ring 0-1-2-...-7: 4 intra-node hops and 4 node crossings.
  const Cluster c = make_cluster(load_instance_by_name("emulated-k2"), 4);
  const auto [intra_s, intra_Bps] = hop(c, 0, 1);
  const auto [inter_s, inter_Bps] = hop(c, 1, 2);
  REQUIRE(inter_s > intra_s);
  REQUIRE(inter_Bps < intra_Bps);
  for (const double M : {8e3, 8e6}) {
    INFO(M << " bytes");
    const double chunk = M / 8;
    // A chunk's path: 7 hops, every crossing and 3 of the 4 intra-node hops, over 7 steps; the
    // node's egress link must also carry one chunk per step.
    const double path_step_s = (4 * (inter_s + chunk / inter_Bps) + 3 * (intra_s + chunk / intra_Bps)) / 7;
    const double link_step_s = chunk / inter_Bps;
    const double expected_s = 7 * std::max(path_step_s, link_step_s);
    // Small chunks are latency-bound, large ones bound by the slow link (their latency hidden).
    CHECK((M < 1e6 ? path_step_s > link_step_s : link_step_s > path_step_s));
    const auto plan = plan_collective(c, CollectiveKind::all_gather, Algorithm::ring, world_group(c), M);
    CHECK(relative_error(simulate_collective(c, plan).time_s, expected_s) < 1e-9);
    CHECK(relative_error(simulate_collective(c, plan, FlowModel::per_flow).time_s, expected_s) < 1e-9);
    CHECK(relative_error(formula_time_s(c, plan), expected_s) < 1e-9);
  }
}

TEST_CASE("a bounded FIFO: each hop's messages hold its slots, and the closed form pays the same floor", "[collective]") {
  // 4 nodes x 2 ranks, one ring: a shape whose connections hold 2 messages and send each step as
  // 2 messages per 200 kB chunk, paying the routes' own latencies.
  const Cluster c = make_cluster(load_instance_by_name("emulated-k2"), 4);
  const auto [intra_s, intra_Bps] = hop(c, 0, 1);
  const auto [inter_s, inter_Bps] = hop(c, 1, 2);
  for (const double M : {8e3, 8e6}) {
    INFO(M << " bytes");
    auto plan = plan_collective(c, CollectiveKind::all_gather, Algorithm::ring, world_group(c), M);
    const double unbounded_s = simulate_collective(c, plan).time_s;
    auto& ring = std::get<RingPhase>(plan.phases.front());
    ring.shape = PhaseShape{"fifo test", 0, intra_s, inter_s, 1.0, 1.0, ConnectionFifo{2e5, 2, 2}};
    const double chunk = M / 8;
    const int messages = 2 * static_cast<int>(std::ceil(chunk / 2e5));
    const double path_step_s = (4 * (inter_s + chunk / inter_Bps) + 3 * (intra_s + chunk / intra_Bps)) / 7;
    const double link_step_s = chunk / inter_Bps;
    const double fifo_step_s = (messages * inter_s + chunk / inter_Bps) / 2;
    const double expected_s = 7 * std::max({path_step_s, link_step_s, fifo_step_s});
    // Small chunks wait for the slots; 1 MB chunks keep the slow link busy whatever the FIFO.
    if (M < 1e6) {
      CHECK(fifo_step_s > std::max(path_step_s, link_step_s));
      CHECK(fifo_bound_step(c, plan));
    } else {
      CHECK(link_step_s > fifo_step_s);
      CHECK(relative_error(simulate_collective(c, plan).time_s, unbounded_s) < 1e-9);
      CHECK_FALSE(fifo_bound_step(c, plan));
    }
    CHECK(relative_error(simulate_collective(c, plan).time_s, expected_s) < 1e-9);
    CHECK(relative_error(simulate_collective(c, plan, FlowModel::per_flow).time_s, expected_s) < 1e-9);
    CHECK(relative_error(formula_time_s(c, plan), expected_s) < 1e-9);
  }
}

TEST_CASE("a reducing step adds the reduction of what it received, and the closed form agrees", "[collective]") {
  const InstanceType inst = emulated_with_reduce_rate("400MBps");
  const double reduce_Bps = 400e6;
  // One node: a uniform ring. Four nodes: a chunk small enough that the ring's path, not the
  // node's slow link, bounds each step (a larger one hides the reduction: next test).
  for (const auto& [nodes, M] : {std::pair{1, 8e6}, std::pair{4, 8e4}}) {
    const Cluster c = make_cluster(inst, nodes);
    const int p = c.gpus();
    auto time = [&](CollectiveKind kind, Algorithm algorithm) {
      const auto plan = plan_collective(c, kind, algorithm, world_group(c), M);
      const double simulated = simulate_collective(c, plan).time_s;
      CHECK(relative_error(simulated, formula_time_s(c, plan)) < 1e-9);
      return simulated;
    };
    INFO(nodes << " nodes");
    const double ag = time(CollectiveKind::all_gather, Algorithm::ring);
    const double rs = time(CollectiveKind::reduce_scatter, Algorithm::ring);
    const double ar = time(CollectiveKind::all_reduce, Algorithm::ring);
    // Each rank reduces (p-1) chunks of M/p; the all-reduce's gather half reduces nothing.
    const double reduction_s = (p - 1) * (M / p) / reduce_Bps;
    CHECK(relative_error(rs - ag, reduction_s) < 1e-9);
    CHECK(relative_error(ar - 2 * ag, reduction_s) < 1e-9);
    if (nodes > 1) {
      time(CollectiveKind::reduce_scatter, Algorithm::hierarchical);
      time(CollectiveKind::all_reduce, Algorithm::hierarchical);
    }
  }
}

TEST_CASE("a reduction hides behind a slow link's transfer as latency does", "[collective]") {
  // 4 x 2 ranks, 1 MB chunks: the node's 200 Mbit/s egress needs ~40 ms per step, the path with
  // a 2.5 ms reduction per hop far less, so reducing costs the flat ring nothing.
  const Cluster c = make_cluster(emulated_with_reduce_rate("400MBps"), 4);
  const double M = 8e6;
  const auto time = [&](CollectiveKind kind) {
    return simulate_collective(c, plan_collective(c, kind, Algorithm::ring, world_group(c), M)).time_s;
  };
  CHECK(relative_error(time(CollectiveKind::reduce_scatter), time(CollectiveKind::all_gather)) < 1e-9);
}
