#include "sim/schedule/rank_program.hpp"
#include "sim/strategies/compile.hpp"

#include "tests/support/test_models.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>

using namespace shardsim;

namespace {

StepConfig config(Strategy strategy, int partition, bool hierarchical) {
  StepConfig c;
  c.model = test::small_model();
  c.strategy.strategy = strategy;
  c.strategy.partition_size = partition;
  c.strategy.hierarchical_gather = hierarchical;
  c.accumulation_steps = 2;
  return c;
}

bool contains(const std::vector<int>& ranks, int rank) {
  return std::find(ranks.begin(), ranks.end(), rank) != ranks.end();
}

// Every rank's program: same ops as the representative, groups holding the rank, and for each
// collective the groups seen by all ranks partition the world. Returns the collectives checked.
int check_every_rank(const Cluster& cluster, const StepConfig& c) {
  const Schedule representative = compile_schedule(cluster, c, 0);
  const int world = representative.world_size;
  std::vector<Schedule> programs;
  for (int r = 0; r < world; ++r) programs.push_back(rank_program(representative, r));
  int collectives = 0;
  for (std::size_t i = 0; i < representative.program.ops.size(); ++i) {
    const Op& reference = representative.program.ops[i];
    const auto* reference_collective = std::get_if<CollectiveOp>(&reference.body);
    std::vector<int> owner(world, -1);  // group of op i as rank r runs it
    for (int r = 0; r < world; ++r) {
      const Op& op = programs[r].program.ops[i];
      REQUIRE(programs[r].program.rank == r);
      REQUIRE(op.label == reference.label);
      REQUIRE(op.deps == reference.deps);
      REQUIRE(op.stream == reference.stream);
      REQUIRE(op.body.index() == reference.body.index());
      const auto* collective = std::get_if<CollectiveOp>(&op.body);
      if (!collective) continue;
      const Group& group = programs[r].groups.at(collective->group);
      REQUIRE(contains(group.ranks, r));
      REQUIRE(group.role == representative.groups[reference_collective->group].role);
      REQUIRE(collective->bytes == reference_collective->bytes);
      // The communicator names a family: the same id on every rank, and the rank's group is in it.
      REQUIRE(collective->communicator == reference_collective->communicator);
      const CommunicatorInfo& communicator = programs[r].communicators.at(collective->communicator);
      REQUIRE(communicator.role == group.role);
      REQUIRE(communicator.group_size == static_cast<int>(group.ranks.size()));
      owner[r] = collective->group;
    }
    if (!reference_collective) continue;
    ++collectives;
    // The distinct groups of op i are disjoint and cover the world, each member naming that group.
    std::set<int> groups(owner.begin(), owner.end());
    std::vector<int> covered(world, 0);
    for (int g : groups)
      for (int member : representative.groups[g].ranks) {
        ++covered[member];
        REQUIRE(owner[member] == g);
      }
    REQUIRE(std::all_of(covered.begin(), covered.end(), [](int n) { return n == 1; }));
  }
  // The same program the compiler produces for that rank directly.
  for (int r : {1, world / 2 + 1, world - 1}) {
    const Schedule direct = compile_schedule(cluster, c, r);
    REQUIRE(direct.program.ops.size() == programs[r].program.ops.size());
    for (std::size_t i = 0; i < direct.program.ops.size(); ++i)
      if (const auto* d = std::get_if<CollectiveOp>(&direct.program.ops[i].body))
        REQUIRE(std::get<CollectiveOp>(programs[r].program.ops[i].body).group == d->group);
  }
  return collectives;
}

const Cluster& p4d(int nodes) {
  static const InstanceType instance = load_instance_by_name("p4d.24xlarge");
  static std::map<int, Cluster> clusters;
  auto it = clusters.find(nodes);
  if (it == clusters.end()) it = clusters.emplace(nodes, make_cluster(instance, nodes)).first;
  return it->second;
}

}  // namespace

TEST_CASE("rank programs of ZeRO-3: every gather and reduce-scatter spans the world", "[schedule][rank_program]") {
  const int collectives = check_every_rank(p4d(2), config(Strategy::zero3, 0, false));
  CHECK(collectives > 0);
}

TEST_CASE("rank programs of hierarchical MiCS: partition and replication groups hold each rank", "[schedule][rank_program]") {
  // 4 nodes x 8 GPUs, p = 16: two partition groups of two nodes, replication groups of 2.
  const Cluster& cluster = p4d(4);
  const StepConfig c = config(Strategy::mics, 16, true);
  const Schedule representative = compile_schedule(cluster, c, 0);
  bool hierarchical = false, replication = false;
  for (const Op& op : representative.program.ops)
    if (const auto* coll = std::get_if<CollectiveOp>(&op.body)) {
      hierarchical |= coll->algorithm == Algorithm::hierarchical;
      replication |= representative.groups[coll->group].role == GroupRole::replication;
    }
  REQUIRE(hierarchical);
  REQUIRE(replication);
  CHECK(check_every_rank(cluster, c) > 0);
  // Rank 21 (node 2, local 5) gathers in the second partition group and all-reduces with rank 5.
  const Schedule r21 = rank_program(representative, 21);
  for (const Op& op : r21.program.ops)
    if (const auto* coll = std::get_if<CollectiveOp>(&op.body)) {
      const Group& g = r21.groups[coll->group];
      if (g.role == GroupRole::partition) CHECK(g.ranks.front() == 16);
      if (g.role == GroupRole::replication) CHECK(g.ranks == std::vector<int>{5, 21});
    }
}

TEST_CASE("rank_program refuses a collective outside its communicator's family", "[schedule][rank_program]") {
  Schedule s = compile_schedule(p4d(4), config(Strategy::mics, 16, true), 0);
  REQUIRE(s.communicators.size() == 2);
  for (Op& op : s.program.ops)
    if (auto* c = std::get_if<CollectiveOp>(&op.body); c && s.groups[c->group].role == GroupRole::replication) c->communicator = 0;
  CHECK_THROWS_WITH(rank_program(s, 5), Catch::Contains("is not in communicator 0 (partition)"));
}

TEST_CASE("rank_program refuses a rank outside the world", "[schedule][rank_program]") {
  const Schedule s = compile_schedule(p4d(2), config(Strategy::zero3, 0, false), 0);
  CHECK_THROWS_WITH(rank_program(s, 16), Catch::Contains("outside the world of 16"));
  CHECK_THROWS_WITH(rank_program(s, -1), Catch::Contains("outside the world"));
}
