#include "runtime/bench/bench_command.hpp"
#include "runtime/bench/bench_report.hpp"
#include "runtime/bench/nccl_choice.hpp"
#include "runtime/comm/element_math.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <Eigen/Core>

#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace shardsim;
using namespace shardsim::runtime;

TEST_CASE("sweep sizes follow nccl-tests -b/-e/-f", "[runtime][bench]") {
  CHECK(sweep_sizes(1024, 8192, 2) == std::vector<std::uint64_t>{1024, 2048, 4096, 8192});
  CHECK(sweep_sizes(1000, 50000, 10) == std::vector<std::uint64_t>{1000, 10000});
  CHECK_THROWS_WITH(sweep_sizes(10, 5, 2), Catch::Contains("larger than -e"));
  CHECK_THROWS_WITH(sweep_sizes(10, 50, 1), Catch::Contains("at least 2"));
}

TEST_CASE("sizes round down to a multiple of the group, as nccl-tests", "[runtime][bench]") {
  // 1000 bytes of f32 = 250 elements; 3 ranks: 249 elements, 83 per rank.
  const auto gather = size_point(CollectiveKind::all_gather, Algorithm::ring, 1000, DataType::f32, 3);
  CHECK(gather.bytes == 996);
  CHECK(gather.count == 83);
  CHECK(gather.total_elements == 249);
  const auto flat_reduce = size_point(CollectiveKind::all_reduce, Algorithm::ring, 1000, DataType::f32, 3);
  CHECK(flat_reduce.bytes == 1000);
  CHECK(flat_reduce.count == 250);
  CHECK(size_point(CollectiveKind::all_reduce, Algorithm::hierarchical, 1000, DataType::f32, 3).count == 249);
  CHECK(size_point(CollectiveKind::reduce_scatter, Algorithm::ring, 8, DataType::f64, 4).count == 0);
  CHECK(bus_bandwidth_factor(CollectiveKind::all_gather, 4) == 0.75);
  CHECK(bus_bandwidth_factor(CollectiveKind::all_reduce, 4) == 1.5);
}

TEST_CASE("groups: world, partition and replication", "[runtime][bench]") {
  const auto partition = parse_group_spec("partition:4", 8);
  CHECK(partition.group_size(8) == 4);
  CHECK(partition.colour(5) == 1);
  const auto replication = parse_group_spec("replication:4", 8);
  CHECK(replication.group_size(8) == 2);
  CHECK(replication.colour(5) == 1);
  CHECK(replication.group_count(8) == 4);
  CHECK_THROWS_WITH(parse_group_spec("partition:3", 8), Catch::Contains("does not divide the 8 ranks"));
  CHECK_THROWS_WITH(parse_group_spec("rows:2", 8), Catch::Contains("use world, partition:P or replication:P"));
}

TEST_CASE("bench options are checked before any rank starts", "[runtime][bench]") {
  BenchCommandOptions options;
  CHECK(make_bench_plan(options, 4, 2).sizes.size() == 17);  // 1K .. 64M
  options.ops = "all_gather,all_to_all";
  CHECK_THROWS_WITH(make_bench_plan(options, 4, 2), Catch::Contains("unknown collective 'all_to_all'"));
  options.ops = "all_reduce";
  options.dtype = "fp8";
  CHECK_THROWS_WITH(make_bench_plan(options, 4, 2), Catch::Contains("unknown data type 'fp8'"));
  options.dtype = "bfloat16";
  CHECK(make_bench_plan(options, 4, 2).type == DataType::bf16);
}

TEST_CASE("the check pattern's sums are exact and wrong elements are counted", "[runtime][bench]") {
  // Reduce-scatter on rank 1 of 2 with 3 elements per rank: input indices 3..5 summed over ranks.
  std::vector<float> right(3);
  for (std::size_t j = 0; j < 3; ++j) right[j] = static_cast<float>(input_value(0, 3 + j) + input_value(1, 3 + j));
  CHECK(count_wrong(CollectiveKind::reduce_scatter, right.data(), 3, DataType::f32, 1, 2) == 0);
  right[2] += 1;
  CHECK(count_wrong(CollectiveKind::reduce_scatter, right.data(), 3, DataType::f32, 1, 2) == 1);
  // A gather with two chunks swapped is wrong in every element that differs.
  std::vector<std::int32_t> swapped(4);
  for (int i = 0; i < 4; ++i) swapped[i] = static_cast<std::int32_t>(input_value(1 - i / 2, i % 2));
  CHECK(count_wrong(CollectiveKind::all_gather, swapped.data(), 2, DataType::i32, 0, 2) == 4);
}

TEST_CASE("f16 and bf16 sums round to nearest even through float", "[runtime][bench]") {
  std::vector<Eigen::bfloat16> a{Eigen::bfloat16(256.0f), Eigen::bfloat16(1.5f)};
  std::vector<Eigen::bfloat16> b{Eigen::bfloat16(1.0f), Eigen::bfloat16(-0.25f)};
  add_into(a.data(), b.data(), 2, DataType::bf16);
  CHECK(static_cast<float>(a[0]) == 256.0f);  // 257 is not a bf16 value: ties to even
  CHECK(static_cast<float>(a[1]) == 1.25f);
  std::vector<std::int32_t> big{2147483647}, one{1};
  add_into(big.data(), one.data(), 1, DataType::i32);
  CHECK(big[0] == -2147483647 - 1);  // integer sums wrap like NCCL's
  std::vector<char> half(2);
  set_element(half.data(), 0, DataType::f16, 2049.0);
  CHECK(element_value(half.data(), 0, DataType::f16) == 2048.0);
}

TEST_CASE("the JSON rows carry what calibration reads", "[runtime][bench]") {
  BenchContext context;
  context.backend = "gloo";
  context.world_size = 4;
  context.ranks_per_node = 2;
  context.nodes = 2;
  context.group = parse_group_spec("partition:2", 4);
  BenchRow row;
  row.op = CollectiveKind::reduce_scatter;
  row.size = size_point(row.op, Algorithm::ring, 4096, DataType::f32, 2);
  row.out_of_place = {10.0, 0.4096, 0.2048, 0, std::nullopt};
  row.in_place = {20.0, 0.2048, 0.1024, 3, std::nullopt};
  const auto json = nlohmann::json::parse(results_json(context, {row}));
  REQUIRE(json["results"].size() == 2);
  const auto& in_place = json["results"][1];
  CHECK(in_place["op"] == "reduce_scatter");
  CHECK(in_place["group_size"] == 2);
  CHECK(in_place["bytes"] == 4096);
  CHECK(in_place["in_place"] == true);
  CHECK(in_place["wrong"] == 3);
  CHECK(in_place["time_s"] == Approx(20e-6));  // seconds, as `shardsim collective --json`
  CHECK_FALSE(in_place.contains("time_us"));
  CHECK(in_place["nodes"] == 2);
  CHECK(table_row(row).find("reduce_scatter") == std::string::npos);  // rows hold numbers only, as nccl-tests
}

// --nccl-choice: each flat row takes the choice NCCL logged most often for its collective and byte
// count (count x element size, as NCCL prints it), so a few bookkeeping calls of the same size on
// another communicator never stand in for it; rows with no logged call stay empty; an unreadable
// log is a warning and the rows stand. The log below is in NCCL 2.28's per-call format.
TEST_CASE("NCCL's logged choices attach to bench rows by collective and byte count", "[runtime][bench]") {
  const std::string path = (std::filesystem::temp_directory_path() / ("shardsim-nccl-choice-test-" + std::to_string(::getpid()) + ".log")).string();
  {
    std::ofstream log(path);
    const char* prefix = "host:1:1 [0] NCCL INFO ";
    log << prefix << "NCCL version 2.28.9+cuda13.0\n";
    log << prefix << "AllReduce: 4 Bytes -> Algo RING proto LL channel{Lo..Hi}={0..0}\n";  // a barrier elsewhere
    for (int i = 0; i < 3; ++i) log << prefix << "AllReduce: 4 Bytes -> Algo TREE proto LL channel{Lo..Hi}={0..1}\n";
    for (int i = 0; i < 2; ++i) log << prefix << "AllGather: 16384 Bytes -> Algo PAT proto SIMPLE channel{Lo..Hi}={0..1}\n";
  }
  std::vector<BenchRow> rows(3);
  rows[0].op = CollectiveKind::all_reduce;  // 1 f32 element: 4 bytes
  rows[0].size = size_point(rows[0].op, Algorithm::ring, 4, DataType::f32, 2);
  rows[1].op = CollectiveKind::all_gather;  // 32 KiB over 2 ranks: 16 KiB per rank, as NCCL logs it
  rows[1].size = size_point(rows[1].op, Algorithm::ring, 32768, DataType::f32, 2);
  rows[2].op = CollectiveKind::reduce_scatter;  // nothing logged
  rows[2].size = size_point(rows[2].op, Algorithm::ring, 32768, DataType::f32, 2);
  CHECK(attach_nccl_choices(rows, path).empty());
  REQUIRE(rows[0].nccl_choice);
  CHECK(rows[0].nccl_choice->algorithm == "Tree");
  CHECK(rows[0].nccl_choice->protocol == "LL");
  CHECK(rows[0].nccl_choice->channels == 2);
  REQUIRE(rows[1].nccl_choice);
  CHECK(rows[1].nccl_choice->algorithm == "PAT");
  CHECK(rows[1].nccl_choice->channels == 2);
  CHECK_FALSE(rows[2].nccl_choice);
  std::filesystem::remove(path);

  std::vector<BenchRow> kept(1);
  CHECK_THAT(attach_nccl_choices(kept, path), Catch::Contains("cannot read its TUNING log"));
  CHECK_FALSE(kept[0].nccl_choice);
}
