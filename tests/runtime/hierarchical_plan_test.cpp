// The runtime's two-level collectives execute exactly the phases, groups and byte counts the
// simulator costs: both come from sim/collectives' one description of the algorithm.
#include "runtime/comm/hierarchical.hpp"
#include "runtime/comm/host_gather.hpp"
#include "runtime/step/live_schedule.hpp"
#include "sim/collectives/plan.hpp"
#include "sim/topology/topology.hpp"
#include "tests/runtime/thread_world.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace shardsim;
using namespace shardsim::runtime;
using shardsim::runtime::testing::run_threads_as_ranks;

namespace {

using Members = std::set<int>;

// The world ranks of `comm`'s members, learnt through the communicator itself.
Members members_of(Communicator& comm, int world_rank) {
  Members members;
  for (double r : all_gather_host_values(comm, {static_cast<double>(world_rank)})) members.insert(static_cast<int>(r));
  return members;
}

}  // namespace

TEST_CASE("the runtime executes exactly the phases, groups and bytes the simulator costs", "[runtime][hierarchical]") {
  struct Shape {
    int ranks, per_node;
  };
  const InstanceType instance = load_instance_by_name("p4d.24xlarge");
  for (const Shape shape : {Shape{4, 2}, Shape{6, 2}, Shape{6, 3}, Shape{4, 4}, Shape{4, 1}}) {
    const Cluster cluster = live_cluster(instance, {shape.ranks, shape.per_node});
    for (CollectiveKind kind : {CollectiveKind::all_gather, CollectiveKind::reduce_scatter, CollectiveKind::all_reduce}) {
      CAPTURE(shape.ranks, shape.per_node, to_string(kind));
      const std::size_t count = 12;  // divides by every shape's ranks per node (all-reduce)
      const std::size_t elements = kind == CollectiveKind::all_reduce ? count : count * shape.ranks;
      const CollectivePlan plan = plan_collective(cluster, kind, Algorithm::hierarchical, world_group(cluster),
                                                  static_cast<double>(elements * sizeof(float)));
      std::vector<std::vector<ExecutedPhase>> calls(shape.ranks);
      std::vector<Members> intra(shape.ranks), inter(shape.ranks);
      run_threads_as_ranks(shape.ranks, shape.per_node, [&](Communicator& world, const LaunchInfo& info) {
        HierarchicalCollectives hierarchical(world, info.node, "plan");
        hierarchical.record_calls(&calls[info.rank]);
        std::vector<float> send(input_elements(kind, count, shape.ranks)), recv(output_elements(kind, count, shape.ranks));
        hierarchical.run(kind, send.data(), recv.data(), count, DataType::f32);
        hierarchical.synchronize();
        intra[info.rank] = members_of(hierarchical.intra_node(), info.rank);
        inter[info.rank] = members_of(hierarchical.inter_node(), info.rank);
      });
      for (int rank = 0; rank < shape.ranks; ++rank) {
        REQUIRE(calls[rank].size() == plan.phases.size());
        for (std::size_t i = 0; i < plan.phases.size(); ++i) {
          const ExecutedPhase& call = calls[rank][i];
          if (const auto* copy = std::get_if<CopyPhase>(&plan.phases[i])) {
            CHECK(call.copy);
            CHECK(call.bytes == copy->bytes);
            continue;
          }
          const auto& ring = std::get<RingPhase>(plan.phases[i]);
          CHECK_FALSE(call.copy);
          CHECK(call.scope == ring.scope);
          CHECK(call.kind == ring.kind);
          CHECK(call.bytes == ring.collective_bytes);
          // The phase's rings run over exactly the groups the runtime's communicator of that scope holds.
          std::set<Members> planned, live;
          for (const auto& r : ring.rings) planned.insert(Members(r.begin(), r.end()));
          for (const Members& m : ring.scope == PhaseScope::intra_node ? intra : inter) live.insert(m);
          CHECK(planned == live);
        }
      }
    }
  }
}
