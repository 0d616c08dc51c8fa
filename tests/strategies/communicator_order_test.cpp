// Per-communicator order: every collective names the communicator of its group family, waits for
// the previous collective of that communicator, and those come in DeepSpeed's launch order; in the
// simulated step no two collectives of one communicator overlap in time, while collectives of
// different communicators (MiCS/HYBRID_SHARD replication all-reduces) still may.
#include "sim/schedule/schedule_json.hpp"
#include "sim/stepsim/step_simulation.hpp"
#include "sim/strategies/compile.hpp"
#include "sim/strategies/registry.hpp"

#include "tests/support/strategy_fixtures.hpp"
#include "tests/support/test_models.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <map>

using namespace shardsim;

namespace {

using test::p4d;

std::vector<int> collectives_on(const Schedule& s, GroupRole role) {
  std::vector<int> ids;
  for (std::size_t i = 0; i < s.program.ops.size(); ++i)
    if (const auto* c = std::get_if<CollectiveOp>(&s.program.ops[i].body); c && s.communicators.at(c->communicator).role == role)
      ids.push_back(static_cast<int>(i));
  return ids;
}

bool overlap(const OpTiming& a, const OpTiming& b) { return a.start_s < b.end_s && b.start_s < a.end_s; }

}  // namespace

TEST_CASE("every collective is on its group family's communicator, after the previous one", "[strategies][communicators]") {
  const Cluster& c = p4d(4);
  for (const auto& unit : strategy_units()) {
    INFO(unit.name);
    const Schedule s = compile_schedule(c, test::step_config(unit.strategy, 16));
    std::map<int, int> last;  // communicator -> its previous collective
    for (std::size_t i = 0; i < s.program.ops.size(); ++i) {
      const Op& op = s.program.ops[i];
      const auto* coll = std::get_if<CollectiveOp>(&op.body);
      if (!coll) continue;
      const Group& group = s.groups.at(coll->group);
      const CommunicatorInfo& comm = s.communicators.at(coll->communicator);
      CHECK(comm.id == coll->communicator);
      CHECK(comm.role == group.role);
      CHECK(comm.label == to_string(group.role));
      CHECK(comm.group_size == static_cast<int>(group.ranks.size()));
      if (last.count(coll->communicator)) CHECK(std::count(op.deps.begin(), op.deps.end(), last[coll->communicator]) == 1);
      last[coll->communicator] = static_cast<int>(i);
    }
    // One communicator per family used: no two share a role.
    for (std::size_t a = 0; a < s.communicators.size(); ++a)
      for (std::size_t b = a + 1; b < s.communicators.size(); ++b) CHECK(s.communicators[a].role != s.communicators[b].role);
  }
}

TEST_CASE("the communicators each strategy issues on", "[strategies][communicators]") {
  const Cluster& c = p4d(4);
  auto labels = [&](Strategy st, int partition) {
    std::vector<std::string> out;
    for (const auto& comm : compile_schedule(c, test::step_config(st, partition)).communicators) out.push_back(comm.label);
    return out;
  };
  using L = std::vector<std::string>;
  CHECK(labels(Strategy::ddp, 0) == L{"world"});
  CHECK(labels(Strategy::zero1, 0) == L{"world"});
  CHECK(labels(Strategy::zero2, 0) == L{"world"});
  CHECK(labels(Strategy::zero3, 0) == L{"world"});
  CHECK(labels(Strategy::mics, 16) == L{"partition", "replication"});
  CHECK(labels(Strategy::zeropp_hpz, 0) == L{"world", "intra_node"});
  CHECK(labels(Strategy::hybrid_shard, 8) == L{"partition", "replication"});
}

TEST_CASE("ZeRO-3 backward launches ..., RS(u+1), AG(u-d), RS(u), AG(u-d-1), ... on its communicator", "[strategies][communicators]") {
  const Cluster& c = p4d(2);
  for (int depth : {0, 1, 3}) {
    INFO("prefetch " << depth);
    StepConfig cfg = test::step_config(Strategy::zero3, 0, false, 1);
    cfg.strategy.prefetch_layers = depth;
    cfg.strategy.reduce_bucket_bytes = 0;  // one reduce-scatter per unit
    const Schedule s = compile_schedule(c, cfg);
    const int units = static_cast<int>(model_units(cfg).size());
    auto name = [&](int u) { return u == units - 1 ? std::string("head") : fmt::format("L{}", u); };
    std::vector<std::string> expected;
    for (int u = units - 1; u >= 0; --u) {
      const int first = u == units - 1 ? u : u - depth;  // the first hook fetches and prefetches
      for (int g = first; g >= std::max(u - depth, 0); --g) expected.push_back("ag-bwd " + name(g));
      expected.push_back("rs-grad " + name(u));
    }
    std::vector<std::string> got;
    for (int i : collectives_on(s, GroupRole::world))
      if (s.program.ops[i].label.rfind("ag-fwd", 0) != 0) got.push_back(s.program.ops[i].label);
    CHECK(got == expected);
  }
}

TEST_CASE("a simulated ZeRO-3 step never overlaps a gather and a reduce-scatter of one communicator",
          "[strategies][communicators]") {
  const Cluster& c = p4d(2);
  for (const auto& cfg : {test::step_config(Strategy::zero3), test::step_config(Strategy::mics, 8), test::step_config(Strategy::zeropp_hpz)}) {
    INFO(to_string(cfg.strategy.strategy));
    const Schedule s = compile_schedule(c, cfg);
    const StepResult r = simulate_step(c, s);
    for (const auto& comm : s.communicators) {
      const std::vector<int> ids = collectives_on(s, comm.role);
      for (std::size_t a = 0; a < ids.size(); ++a)
        for (std::size_t b = a + 1; b < ids.size(); ++b) {
          INFO(s.program.ops[ids[a]].label << " / " << s.program.ops[ids[b]].label);
          REQUIRE_FALSE(overlap(r.ops[ids[a]], r.ops[ids[b]]));
          REQUIRE(r.ops[ids[b]].start_s >= r.ops[ids[a]].end_s);  // and in launch order
        }
    }
  }
}

TEST_CASE("the replication all-reduce has its own communicator and may overlap partition-group work",
          "[strategies][communicators]") {
  const Cluster& c = p4d(4);
  SECTION("MiCS: the boundary all-reduce waits on its partition group's data, not on its communicator") {
    const Schedule s = compile_schedule(c, test::step_config(Strategy::mics, 16));
    const std::vector<int> all_reduce = collectives_on(s, GroupRole::replication);
    REQUIRE(all_reduce.size() == 1);
    const Op& op = s.program.ops[all_reduce[0]];
    // Its only dependency is the gradient reduce-scatter it reduces further.
    REQUIRE(op.deps.size() == 1);
    CHECK(s.program.ops[op.deps[0]].label.rfind("rs-grad", 0) == 0);
  }
  SECTION("HYBRID_SHARD: per-bucket replication all-reduces run while the partition group gathers") {
    const Schedule s = compile_schedule(c, test::step_config(Strategy::hybrid_shard, 8));
    const StepResult r = simulate_step(c, s);
    bool overlapped = false;
    for (int a : collectives_on(s, GroupRole::replication))
      for (int p : collectives_on(s, GroupRole::partition)) overlapped = overlapped || overlap(r.ops[a], r.ops[p]);
    CHECK(overlapped);
  }
}

TEST_CASE("schedule JSON names each collective's communicator", "[strategies][communicators]") {
  const Schedule s = compile_schedule(p4d(4), test::step_config(Strategy::mics, 16));
  const auto j = schedule_to_json(s);
  REQUIRE(j["communicators"].size() == 2);
  CHECK(j["communicators"][0]["label"] == "partition");
  CHECK(j["communicators"][0]["group_size"] == 16);
  CHECK(j["communicators"][1]["label"] == "replication");
  CHECK(j["communicators"][1]["role"] == "replication");
  for (std::size_t i = 0; i < s.program.ops.size(); ++i)
    if (const auto* coll = std::get_if<CollectiveOp>(&s.program.ops[i].body))
      CHECK(j["ops"][i]["communicator"] == coll->communicator);
    else
      CHECK_FALSE(j["ops"][i].contains("communicator"));
}
