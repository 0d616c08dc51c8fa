#include "runtime/bench/check_pattern.hpp"
#include "runtime/comm/hierarchical.hpp"
#include "tests/runtime/thread_world.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <cstring>
#include <functional>

using namespace shardsim::runtime;
using shardsim::CollectiveKind;
using shardsim::input_elements;
using shardsim::output_elements;
using shardsim::runtime::testing::run_threads_as_ranks;

namespace {

using Call = std::function<void(CollectiveKind, const void*, void*, std::size_t, DataType)>;

// Runs `op` through `call` out of place and in place with the check pattern on group rank `rank`
// of `p`; returns #wrong of both.
std::size_t wrong_elements(int rank, int p, CollectiveKind op, std::size_t count, DataType type, const Call& call) {
  const std::size_t element = size_of(type);
  const std::size_t in_elements = input_elements(op, count, p);
  const std::size_t out_elements = output_elements(op, count, p);
  std::vector<char> input(in_elements * element);
  std::vector<char> output(out_elements * element, 0);
  fill_input(input.data(), in_elements, type, rank);
  auto run = [&](const void* send, void* recv) { call(op, send, recv, count, type); };
  run(input.data(), output.data());
  std::size_t wrong = count_wrong(op, output.data(), count, type, rank, p);
  // In place, NCCL's convention: all_gather's input sits at its rank's place in the output,
  // reduce_scatter's output at its rank's place in the input.
  std::vector<char> buffer(std::max(in_elements, out_elements) * element, 0);
  const std::size_t offset = op == CollectiveKind::all_reduce ? 0 : rank * count * element;
  if (op == CollectiveKind::all_gather) {
    std::memcpy(buffer.data() + offset, input.data(), input.size());
    run(buffer.data() + offset, buffer.data());
    wrong += count_wrong(op, buffer.data(), count, type, rank, p);
  } else {
    std::memcpy(buffer.data(), input.data(), input.size());
    run(buffer.data(), buffer.data() + offset);
    wrong += count_wrong(op, buffer.data() + offset, count, type, rank, p);
  }
  return wrong;
}

// The same on a communicator's own (flat) calls.
std::size_t wrong_elements(Communicator& comm, CollectiveKind op, std::size_t count, DataType type) {
  return wrong_elements(comm.rank(), comm.size(), op, count, type,
                        [&](CollectiveKind kind, const void* send, void* recv, std::size_t n, DataType t) {
                          comm.collective(kind, send, recv, n, t);
                        });
}

const CollectiveKind kOps[] = {CollectiveKind::all_gather, CollectiveKind::reduce_scatter, CollectiveKind::all_reduce};

}  // namespace

TEST_CASE("gloo ring collectives are exact on 4 ranks for every type, op and several sizes", "[runtime][gloo]") {
  std::atomic<std::size_t> wrong{0};
  std::atomic<int> checks{0};
  run_threads_as_ranks(4, 2, [&](Communicator& world, const LaunchInfo&) {
    for (DataType type : {DataType::f32, DataType::f64, DataType::f16, DataType::bf16, DataType::i32, DataType::i64}) {
      for (std::size_t count : {1u, 7u, 1000u}) {
        for (CollectiveKind op : kOps) {
          wrong += wrong_elements(world, op, count, type);
          ++checks;
        }
      }
    }
  });
  CHECK(checks == 4 * 6 * 3 * 3);
  CHECK(wrong == 0);
}

TEST_CASE("gloo collectives are exact on partition and replication groups", "[runtime][gloo]") {
  std::atomic<std::size_t> wrong{0};
  std::atomic<int> group_sizes{0};
  run_threads_as_ranks(4, 2, [&](Communicator& world, const LaunchInfo& info) {
    auto partition = world.split(info.rank / 2, info.rank, "partition");
    auto replication = world.split(info.rank % 2, info.rank, "replication");
    group_sizes += partition->size() + replication->size();
    for (Communicator* group : {partition.get(), replication.get()}) {
      for (CollectiveKind op : kOps) wrong += wrong_elements(*group, op, 513, DataType::bf16);
    }
  });
  CHECK(group_sizes == 4 * (2 + 2));
  CHECK(wrong == 0);
}

TEST_CASE("a split orders ranks by key and keeps colours apart", "[runtime][gloo]") {
  std::vector<int> new_rank(4, -1);
  run_threads_as_ranks(4, 4, [&](Communicator& world, const LaunchInfo& info) {
    auto reversed = world.split(0, -info.rank, "reversed");
    new_rank[info.rank] = reversed->rank();
  });
  CHECK(new_rank == std::vector<int>{3, 2, 1, 0});
}

TEST_CASE("the all-reduce handles counts not divisible by the group", "[runtime][gloo]") {
  std::atomic<std::size_t> wrong{0};
  run_threads_as_ranks(3, 1, [&](Communicator& world, const LaunchInfo&) {
    for (std::size_t count : {1u, 2u, 5u, 1001u}) wrong += wrong_elements(world, CollectiveKind::all_reduce, count, DataType::f32);
  });
  CHECK(wrong == 0);
}

TEST_CASE("hierarchical and flat collectives give identical buffers", "[runtime][hierarchical]") {
  std::atomic<std::size_t> differences{0};
  std::atomic<std::size_t> wrong{0};
  std::atomic<int> layouts_ok{0};
  run_threads_as_ranks(4, 2, [&](Communicator& world, const LaunchInfo& info) {
    HierarchicalCollectives hierarchical(world, info.node, "h");
    if (hierarchical.layout().nodes == 2 && hierarchical.layout().ranks_per_node == 2) ++layouts_ok;
    const std::size_t count = 999;
    const DataType type = DataType::f16;
    std::vector<char> input(4 * count * size_of(type));
    fill_input(input.data(), 4 * count, type, info.rank);
    std::vector<char> flat(4 * count * size_of(type)), two_level(flat.size(), 1);
    world.all_gather(input.data(), flat.data(), count, type);
    hierarchical.run(CollectiveKind::all_gather, input.data(), two_level.data(), count, type);
    if (flat != two_level) ++differences;

    std::vector<char> flat_rs(count * size_of(type)), two_level_rs(flat_rs.size(), 1);
    world.reduce_scatter(input.data(), flat_rs.data(), count, type);
    hierarchical.run(CollectiveKind::reduce_scatter, input.data(), two_level_rs.data(), count, type);
    if (flat_rs != two_level_rs) ++differences;
  });
  CHECK(layouts_ok == 4);
  CHECK(differences == 0);
}

TEST_CASE("hierarchical collectives are exact out of place and in place on every node shape", "[runtime][hierarchical]") {
  struct Shape {
    int ranks, per_node;
  };
  // 2 x 2, 3 nodes x 2, 2 nodes x 3, one node of 4, 4 nodes of 1.
  for (const Shape shape : {Shape{4, 2}, Shape{6, 2}, Shape{6, 3}, Shape{4, 4}, Shape{4, 1}}) {
    CAPTURE(shape.ranks, shape.per_node);
    std::atomic<std::size_t> wrong{0};
    run_threads_as_ranks(shape.ranks, shape.per_node, [&](Communicator& world, const LaunchInfo& info) {
      HierarchicalCollectives hierarchical(world, info.node, "h");
      const auto run = [&](CollectiveKind op, const void* send, void* recv, std::size_t count, DataType type) {
        hierarchical.run(op, send, recv, count, type);
        hierarchical.synchronize();
      };
      for (CollectiveKind op : kOps) {
        // The all-reduce count must divide by the ranks per node; 60 divides by 1 to 4 and 6.
        wrong += wrong_elements(world.rank(), world.size(), op, op == CollectiveKind::all_reduce ? 60 : 37,
                                DataType::bf16, run);
      }
    });
    CHECK(wrong == 0);
  }
}

TEST_CASE("hierarchical collectives on a replication group spanning nodes", "[runtime][hierarchical]") {
  std::atomic<std::size_t> wrong{0};
  std::atomic<int> nodes_seen{0};
  // 8 ranks, 4 per node: replication groups {r, r+2, r+4, r+6} have 2 ranks on each of 2 nodes.
  run_threads_as_ranks(8, 4, [&](Communicator& world, const LaunchInfo& info) {
    auto replication = world.split(info.rank % 2, info.rank, "replication");
    HierarchicalCollectives hierarchical(*replication, info.node, "h");
    nodes_seen += hierarchical.layout().nodes;
    const std::size_t count = 64;
    std::vector<char> input(count * 4), output(4 * count * 4);
    fill_input(input.data(), count, DataType::i32, replication->rank());
    hierarchical.run(CollectiveKind::all_gather, input.data(), output.data(), count, DataType::i32);
    wrong += count_wrong(CollectiveKind::all_gather, output.data(), count, DataType::i32, replication->rank(), 4);
  });
  CHECK(nodes_seen == 8 * 2);
  CHECK(wrong == 0);
}

TEST_CASE("node layouts that are not block-wise are refused", "[runtime][hierarchical]") {
  CHECK(node_layout_of({0, 0, 1, 1}).nodes == 2);
  CHECK(node_layout_of({5, 5, 5}).ranks_per_node == 3);
  CHECK_THROWS_WITH(node_layout_of({0, 1, 0, 1}), Catch::Contains("block-wise"));
  CHECK_THROWS_WITH(node_layout_of({0, 0, 1}), Catch::Contains("same number of group ranks"));
  CHECK_THROWS_WITH(node_layout_of({0, 0, 1, 1, 0, 0}), Catch::Contains("group rank 4"));
}
