// Loading NCCL versions: every shipped version loads; bad files give one line naming file and JSON path.
#include "sim/input/input_error.hpp"
#include "sim/nccl/nccl_version.hpp"
#include "sim/topology/topology.hpp"
#include "tests/support/test_data.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>

using namespace shardsim;
using Catch::Matchers::Contains;

namespace {

nlohmann::json shipped(const std::string& name) {
  std::ifstream in(test::data_path("topologies/nccl/" + name + ".json"));
  return nlohmann::json::parse(in);
}

}  // namespace

TEST_CASE("every shipped NCCL version loads, and the default is the newest", "[nccl]") {
  const auto names = shipped_nccl_versions();
  CHECK(names == std::vector<std::string>{"2.12", "2.18", "2.28", "2.8"});
  for (const auto& n : names) CHECK(load_nccl_version(n).name == n);
  CHECK(load_nccl_version().name == "2.28");
  CHECK_THAT(load_nccl_version("2.12").description, Contains("MiCS"));
  const NcclVersion v = load_nccl_version(test::data_path("topologies/nccl/2.18.json"));
  CHECK(v.runs(CollectiveKind::all_reduce, NcclAlgorithm::nvls_tree, NcclProtocol::simple));
  CHECK_FALSE(v.runs(CollectiveKind::all_gather, NcclAlgorithm::pat, NcclProtocol::simple));
}

TEST_CASE("a ring's connection FIFO follows each release's buffers, chunk and slice steps", "[nccl]") {
  // The same in every shipped release (NCCL_STEPS 8, DEFAULT_BUFFSIZE 4 MiB, CHUNKSTEPS 4,
  // SLICESTEPS 2; LL 8 lines x 512 threads x 16 B per step, half data; LL128 120 x 640 x 8 B per
  // step, 15/16 data).
  for (const auto& name : shipped_nccl_versions()) {
    INFO(name);
    const NcclVersion v = load_nccl_version(name);
    const ConnectionFifo simple = v.ring_fifo(NcclProtocol::simple);
    CHECK(simple.chunk_data_bytes == 4194304.0 / 8 * 4);
    CHECK(simple.messages_per_chunk == 2);
    CHECK(simple.in_flight_messages == 4);
    const ConnectionFifo ll = v.ring_fifo(NcclProtocol::ll);
    CHECK(ll.chunk_data_bytes == 8 * 512 * 16 / 2);
    CHECK(ll.messages_per_chunk == 1);
    CHECK(ll.in_flight_messages == 8);
    const ConnectionFifo ll128 = v.ring_fifo(NcclProtocol::ll128);
    CHECK(ll128.chunk_data_bytes == 120 * 640 * 8 * 15 / 16);
    CHECK(ll128.messages_per_chunk == 1);
    CHECK(ll128.in_flight_messages == 8);
  }
}

TEST_CASE("a bad NCCL version file is refused with file, JSON path and a suggestion", "[nccl]") {
  nlohmann::json j = shipped("2.28");
  j["tree_corection"] = j["tree_correction"];
  const test::TempFile typo("typo.json", j.dump());
  CHECK_THROWS_WITH(load_nccl_version(typo.path()), Contains("typo.json") && Contains("tree_corection") && Contains("tree_correction"));

  j = shipped("2.28");
  j["tree_correction"]["ll"] = {1, 2};
  const test::TempFile short_row("short.json", j.dump());
  CHECK_THROWS_WITH(load_nccl_version(short_row.path()), Contains("/tree_correction/ll") && Contains("expected 23 numbers"));

  j = shipped("2.28");
  j["algorithms"]["all_gather"]["ring"] = {"LL", "LL256"};
  const test::TempFile bad_proto("proto.json", j.dump());
  CHECK_THROWS_WITH(load_nccl_version(bad_proto.path()), Contains("/algorithms/all_gather/ring") && Contains("LL256"));

  j = shipped("2.28");
  j["chunking"]["slice_steps"] = 3;
  const test::TempFile slices("slices.json", j.dump());
  CHECK_THROWS_WITH(load_nccl_version(slices.path()), Contains("/chunking/slice_steps") && Contains("multiples of slice_steps (3)"));

  j = shipped("2.28");
  j["latency_rules"]["plugin_latency"] = "sometimes";
  const test::TempFile rule("rule.json", j.dump());
  CHECK_THROWS_WITH(load_nccl_version(rule.path()), Contains("/latency_rules/plugin_latency") && Contains("'sometimes' is not one of: ignored, replaces, adds"));

  // The plateau's size condition is one of the two forms NCCL has had, never both or neither.
  j = shipped("2.28");
  j["ring_plateau"]["min_bytes_per_rank"] = 4096;
  const test::TempFile both("both.json", j.dump());
  CHECK_THROWS_WITH(load_nccl_version(both.path()), Contains("/ring_plateau/") && Contains("exactly one of"));
  j = shipped("2.12");
  j["ring_plateau"].erase("min_bytes_per_rank");
  const test::TempFile neither("neither.json", j.dump());
  CHECK_THROWS_WITH(load_nccl_version(neither.path()), Contains("/ring_plateau/") && Contains("exactly one of"));

  // The release is MAJOR.MINOR, which the plugin latency of its time is looked up by.
  j = shipped("2.28");
  j["name"] = "2.28-custom";
  const test::TempFile named("named.json", j.dump());
  CHECK_THROWS_WITH(load_nccl_version(named.path()), Contains("/name") && Contains("MAJOR.MINOR"));
}

TEST_CASE("NCCL releases compare by major and minor, not as text", "[nccl]") {
  const NcclVersion v28 = load_nccl_version("2.8"), v212 = load_nccl_version("2.12");
  CHECK(v28.release.major == 2);
  CHECK(v28.release.minor == 8);
  CHECK(v28.release < NcclRelease{2, 12});
  CHECK(v212.release < NcclRelease{2, 18});
  CHECK_FALSE(v212.release < NcclRelease{2, 12});
  CHECK_FALSE(load_nccl_version("2.28").release < NcclRelease{2, 18});
  CHECK_FALSE(parse_nccl_release("2.28-custom"));
  CHECK_FALSE(parse_nccl_release("2.08"));
}

TEST_CASE("instance files carry what NCCL's search finds, and the emulated cluster has none", "[nccl][topology]") {
  const InstanceType p5 = load_instance_by_name("p5.48xlarge");
  REQUIRE(p5.nccl);
  CHECK(p5.nccl->compute_capability == 90);
  CHECK(p5.nccl->cpu_vendor == "amd");
  CHECK(p5.nccl->nvls);
  CHECK(p5.nccl->plugin_latency_us == 75);
  // aws-ofi-nccl v1.3.0-aws .. v1.6.0 (the plugin of NCCL 2.12's time) declared 150 us everywhere.
  const InstanceType p4d = load_instance_by_name("p4d.24xlarge");
  REQUIRE(p4d.nccl->earlier_plugin_latencies.size() == 1);
  CHECK(p4d.nccl->earlier_plugin_latencies[0].before == NcclRelease{2, 18});
  CHECK(p4d.nccl->earlier_plugin_latencies[0].latency_us == 150);
  const InstanceType p3dn = load_instance_by_name("p3dn.24xlarge");
  REQUIRE(p3dn.nccl);
  CHECK(p3dn.nccl->plugin_latency_us == 150);
  CHECK_FALSE(p3dn.nccl->ll128_multi_node);
  CHECK_FALSE(load_instance_by_name("p4d.24xlarge").nccl->nvls);
  CHECK_FALSE(load_instance_by_name("emulated-k2").nccl);
}
