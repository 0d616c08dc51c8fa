#include "sim/input/input_error.hpp"
#include "sim/schedule/schedule_json.hpp"
#include "sim/stepsim/step_simulation.hpp"
#include "sim/strategies/compile.hpp"

#include "tests/support/strategy_fixtures.hpp"
#include "tests/support/test_models.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace shardsim;

namespace {

TransformerModel small_model() { return test::small_model(); }

using test::p4d;

int count_ops(const Schedule& s, CollectiveKind kind, GroupRole role) {
  int n = 0;
  for (const auto& op : s.program.ops)
    if (const auto* c = std::get_if<CollectiveOp>(&op.body))
      n += c->kind == kind && s.groups[c->group].role == role;
  return n;
}

double bytes_of(const Schedule& s, CollectiveKind kind, GroupRole role) {
  double b = 0;
  for (const auto& op : s.program.ops)
    if (const auto* c = std::get_if<CollectiveOp>(&op.body))
      if (c->kind == kind && s.groups[c->group].role == role) b += c->bytes;
  return b;
}

}  // namespace

TEST_CASE("bytes sent per node match the reference formulas for every strategy", "[strategies]") {
  // 4 p4d nodes: N = 32, k = 8, s = 2 micro-steps, bf16 (e = 2). Psi counts every parameter.
  const Cluster& c = p4d(4);
  const double N = 32, k = 8, s = 2, e = 2;
  const double psi = static_cast<double>(parameter_count(small_model()));
  const double ring = (N - 1) / N;
  struct Expect {
    const char* name;
    StepConfig cfg;
    double network_egress;  // per node
    double gpu_send;        // per node, all links
  };
  const double p = 16, r = N / p;  // MiCS partition of two nodes, replication groups of 2
  const double hybrid_r = N / k;
  const std::vector<Expect> cases = {
      {"ddp", test::step_config(Strategy::ddp), 2 * ring * e * psi, k * 2 * ring * e * psi},
      {"zero1", test::step_config(Strategy::zero1), 2 * ring * e * psi, k * 2 * ring * e * psi},
      {"zero2", test::step_config(Strategy::zero2), (s + 1) * ring * e * psi, k * (s + 1) * ring * e * psi},
      {"zero3", test::step_config(Strategy::zero3), s * 3 * ring * e * psi, k * s * 3 * ring * e * psi},
      // MiCS flat: 3 collectives per micro-step over p, then one fp32 all-reduce of Psi/p over r ranks.
      {"mics flat", test::step_config(Strategy::mics, 16, false),
       s * 3 * (p - 1) / p * e * psi + k * 2 * (r - 1) / r * 4 * psi / p,
       k * s * 3 * (p - 1) / p * e * psi + k * 2 * (r - 1) / r * 4 * psi / p},
      // MiCS hierarchical: the two gathers move (p-k)/p over the network instead of (p-1)/p.
      {"mics hierarchical", test::step_config(Strategy::mics, 16, true),
       s * (2 * (p - k) / p + (p - 1) / p) * e * psi + k * 2 * (r - 1) / r * 4 * psi / p, -1},
      // hpZ: forward gather and reduce-scatter over N, backward gather inside the node.
      {"hpz", test::step_config(Strategy::zeropp_hpz), s * 2 * ring * e * psi, k * s * (2 * ring + (k - 1) / k) * e * psi},
      // HYBRID_SHARD (p = k): all gathers and reduce-scatters inside the node, the shard's
      // all-reduce across nodes on every micro-step; deferred: once.
      {"hybrid", test::step_config(Strategy::hybrid_shard, 8), k * s * 2 * (hybrid_r - 1) / hybrid_r * e * psi / k, -1},
      {"hybrid deferred", test::step_config(Strategy::hybrid_shard_deferred, 8), k * 2 * (hybrid_r - 1) / hybrid_r * e * psi / k, -1},
  };
  for (const auto& tc : cases) {
    INFO(tc.name);
    const Schedule sched = compile_schedule(c, tc.cfg);
    const StepResult res = simulate_step(c, sched);
    CHECK(res.model_used == FlowModel::node_symmetric);
    CHECK(res.traffic.network_egress_bytes == Approx(tc.network_egress).epsilon(1e-9));
    CHECK(res.traffic.network_ingress_bytes == Approx(tc.network_egress).epsilon(1e-9));
    if (tc.gpu_send >= 0) CHECK(res.traffic.gpu_send_bytes == Approx(tc.gpu_send).epsilon(1e-9));
  }
}

TEST_CASE("MiCS with p = N is exactly ZeRO-3: same schedule, same time", "[strategies]") {
  const Cluster& c = p4d(2);
  const Schedule zero3 = compile_schedule(c, test::step_config(Strategy::zero3));
  const Schedule mics = compile_schedule(c, test::step_config(Strategy::mics, 16, false));
  REQUIRE(zero3.program.ops.size() == mics.program.ops.size());
  for (std::size_t i = 0; i < zero3.program.ops.size(); ++i) {
    const Op& a = zero3.program.ops[i];
    const Op& b = mics.program.ops[i];
    CHECK(a.label == b.label);
    CHECK(a.deps == b.deps);
    CHECK(a.stream == b.stream);
    if (const auto* ca = std::get_if<CollectiveOp>(&a.body)) {
      const auto& cb = std::get<CollectiveOp>(b.body);
      CHECK(ca->kind == cb.kind);
      CHECK(ca->bytes == cb.bytes);
      CHECK(zero3.groups[ca->group].ranks == mics.groups[cb.group].ranks);
    }
  }
  CHECK(simulate_step(c, zero3).step_time_s == simulate_step(c, mics).step_time_s);
}

TEST_CASE("two-hop sync: one replication all-reduce per optimizer step, not per micro-step", "[strategies]") {
  const Cluster& c = p4d(4);
  const double psi = static_cast<double>(parameter_count(small_model()));
  for (int s : {1, 4}) {
    const Schedule mics = compile_schedule(c, test::step_config(Strategy::mics, 16, true, s));
    CHECK(count_ops(mics, CollectiveKind::all_reduce, GroupRole::replication) == 1);
    CHECK(bytes_of(mics, CollectiveKind::all_reduce, GroupRole::replication) == Approx(4 * psi / 16));
    CHECK(count_ops(mics, CollectiveKind::reduce_scatter, GroupRole::partition) == s * (small_model().layers + 1));
    const Schedule hybrid = compile_schedule(c, test::step_config(Strategy::hybrid_shard, 8, false, s));
    CHECK(count_ops(hybrid, CollectiveKind::all_reduce, GroupRole::replication) == s * (small_model().layers + 1));
  }
}

TEST_CASE("a prefetch limit bounds the gathered parameters in flight", "[strategies]") {
  const Cluster& c = p4d(2);
  for (int depth : {0, 1, 2}) {
    INFO("prefetch " << depth);
    StepConfig cfg = test::step_config(Strategy::zero3, 0, false, 1);
    cfg.strategy.prefetch_layers = depth;
    const Schedule s = compile_schedule(c, cfg);
    const StepResult r = simulate_step(c, s);
    // A unit is live from its forward gather's start until its forward compute ends.
    std::vector<std::pair<double, double>> live;
    std::map<int, int> gather_of_layer;
    for (std::size_t i = 0; i < s.program.ops.size(); ++i) {
      const Op& op = s.program.ops[i];
      if (op.label.rfind("ag-fwd", 0) == 0) gather_of_layer[op.layer] = static_cast<int>(i);
      if (op.label.rfind("fwd", 0) == 0) live.emplace_back(r.ops[gather_of_layer.at(op.layer)].start_s, r.ops[i].end_s);
    }
    int most = 0;
    for (const auto& [start, end] : live) {
      int at_start = 0;
      for (const auto& [s2, e2] : live) at_start += s2 <= start && e2 > start;
      most = std::max(most, at_start);
    }
    CHECK(most <= depth + 1);
    // With prefetch the next unit's gather overlaps the current unit's compute. (This small model
    // is gather-bound, so a deeper window never fills: the gather stream is the bottleneck.)
    CHECK(most == std::min(depth + 1, 2));
  }
}

TEST_CASE("the node-symmetric step equals the per-flow step", "[strategies]") {
  const Cluster& c = p4d(4);
  for (const auto& cfg : {test::step_config(Strategy::zero3), test::step_config(Strategy::mics, 16, true), test::step_config(Strategy::zeropp_hpz),
                          test::step_config(Strategy::hybrid_shard, 8)}) {
    INFO(to_string(cfg.strategy.strategy));
    const Schedule s = compile_schedule(c, cfg);
    const StepResult fast = simulate_step(c, s, FlowModel::node_symmetric);
    const StepResult slow = simulate_step(c, s, FlowModel::per_flow);
    CHECK(std::abs(fast.step_time_s - slow.step_time_s) / slow.step_time_s < 1e-9);
    CHECK(fast.traffic.network_egress_bytes == Approx(slow.traffic.network_egress_bytes).epsilon(1e-12));
  }
}

TEST_CASE("the same scenario gives byte-identical schedules and timings", "[strategies]") {
  const Cluster& c = p4d(4);
  const auto cfg = test::step_config(Strategy::mics, 16, true);
  const Schedule a = compile_schedule(c, cfg), b = compile_schedule(c, cfg);
  CHECK(schedule_to_json(a).dump() == schedule_to_json(b).dump());
  const StepResult ra = simulate_step(c, a), rb = simulate_step(c, b);
  REQUIRE(ra.ops.size() == rb.ops.size());
  for (std::size_t i = 0; i < ra.ops.size(); ++i) {
    CHECK(ra.ops[i].start_s == rb.ops[i].start_s);
    CHECK(ra.ops[i].end_s == rb.ops[i].end_s);
  }
}

TEST_CASE("gradient accumulation amortises the boundary", "[strategies]") {
  // MiCS's replication all-reduce and the optimizer are paid once per step, not per micro-step,
  // so four micro-steps cost less than four one-micro-step steps, and more than two.
  const Cluster& c = p4d(4);
  const double one = simulate_step(c, compile_schedule(c, test::step_config(Strategy::mics, 16, true, 1))).step_time_s;
  const double four = simulate_step(c, compile_schedule(c, test::step_config(Strategy::mics, 16, true, 4))).step_time_s;
  CHECK(four > 2 * one);
  CHECK(four < 4 * one);
}

TEST_CASE("invalid strategy configurations are rejected with the reason", "[strategies]") {
  const Cluster& c = p4d(4);
  CHECK_THROWS_WITH(compile_schedule(c, test::step_config(Strategy::mics, 12)), Catch::Contains("partition size 12"));
  CHECK_THROWS_WITH(compile_schedule(c, test::step_config(Strategy::mics, 3)), Catch::Contains("does not divide"));
  CHECK_THROWS_WITH(compile_schedule(c, test::step_config(Strategy::mics, 64)), Catch::Contains("does not divide the world of 32"));
  auto bad = test::step_config(Strategy::zero3);
  bad.micro_batch = 0;
  CHECK_THROWS_AS(compile_schedule(c, bad), InputError);
}
