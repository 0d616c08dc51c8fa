#include "runtime/bench/check_pattern.hpp"
#include "runtime/comm/hierarchical.hpp"
#include "tests/runtime/thread_world.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <cstring>

using namespace shardsim::runtime;
using shardsim::runtime::testing::run_threads_as_ranks;

namespace {

// Runs `op` on `comm` out of place and in place with the check pattern; returns #wrong of both.
std::size_t wrong_elements(Communicator& comm, CollectiveOp op, std::size_t count, DataType type) {
  const int p = comm.size();
  const std::size_t element = size_of(type);
  const std::size_t in_elements = input_elements(op, count, p);
  const std::size_t out_elements = output_elements(op, count, p);
  std::vector<char> input(in_elements * element);
  std::vector<char> output(out_elements * element, 0);
  fill_input(input.data(), in_elements, type, comm.rank());
  auto run = [&](const void* send, void* recv) {
    switch (op) {
      case CollectiveOp::all_gather: comm.all_gather(send, recv, count, type); break;
      case CollectiveOp::reduce_scatter: comm.reduce_scatter(send, recv, count, type); break;
      case CollectiveOp::all_reduce: comm.all_reduce(send, recv, count, type); break;
    }
  };
  run(input.data(), output.data());
  std::size_t wrong = count_wrong(op, output.data(), count, type, comm.rank(), p);
  // In place, NCCL's convention: all_gather's input sits at its rank's place in the output,
  // reduce_scatter's output at its rank's place in the input.
  std::vector<char> buffer(std::max(in_elements, out_elements) * element, 0);
  const std::size_t offset = op == CollectiveOp::all_reduce ? 0 : comm.rank() * count * element;
  if (op == CollectiveOp::all_gather) {
    std::memcpy(buffer.data() + offset, input.data(), input.size());
    run(buffer.data() + offset, buffer.data());
    wrong += count_wrong(op, buffer.data(), count, type, comm.rank(), p);
  } else {
    std::memcpy(buffer.data(), input.data(), input.size());
    run(buffer.data(), buffer.data() + offset);
    wrong += count_wrong(op, buffer.data() + offset, count, type, comm.rank(), p);
  }
  return wrong;
}

const CollectiveOp kOps[] = {CollectiveOp::all_gather, CollectiveOp::reduce_scatter, CollectiveOp::all_reduce};

}  // namespace

TEST_CASE("gloo ring collectives are exact on 4 ranks for every type, op and several sizes", "[runtime][gloo]") {
  std::atomic<std::size_t> wrong{0};
  std::atomic<int> checks{0};
  run_threads_as_ranks(4, 2, [&](Communicator& world, const LaunchInfo&) {
    for (DataType type : {DataType::f32, DataType::f64, DataType::f16, DataType::bf16, DataType::i32, DataType::i64}) {
      for (std::size_t count : {1u, 7u, 1000u}) {
        for (CollectiveOp op : kOps) {
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
      for (CollectiveOp op : kOps) wrong += wrong_elements(*group, op, 513, DataType::bf16);
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
    for (std::size_t count : {1u, 2u, 5u, 1001u}) wrong += wrong_elements(world, CollectiveOp::all_reduce, count, DataType::f32);
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
    hierarchical.all_gather(input.data(), two_level.data(), count, type);
    if (flat != two_level) ++differences;
    wrong += count_wrong(CollectiveOp::all_gather, two_level.data(), count, type, info.rank, 4);

    std::vector<char> flat_rs(count * size_of(type)), two_level_rs(flat_rs.size(), 1);
    world.reduce_scatter(input.data(), flat_rs.data(), count, type);
    hierarchical.reduce_scatter(input.data(), two_level_rs.data(), count, type);
    if (flat_rs != two_level_rs) ++differences;
    wrong += count_wrong(CollectiveOp::reduce_scatter, two_level_rs.data(), count, type, info.rank, 4);

    std::vector<char> two_level_ar(4 * count * size_of(type));
    hierarchical.all_reduce(input.data(), two_level_ar.data(), 4 * count, type);
    wrong += count_wrong(CollectiveOp::all_reduce, two_level_ar.data(), 4 * count, type, info.rank, 4);
  });
  CHECK(layouts_ok == 4);
  CHECK(differences == 0);
  CHECK(wrong == 0);
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
    hierarchical.all_gather(input.data(), output.data(), count, DataType::i32);
    wrong += count_wrong(CollectiveOp::all_gather, output.data(), count, DataType::i32, replication->rank(), 4);
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
