#include "sim/collectives/ring_order.hpp"
#include "sim/input/input_error.hpp"
#include "sim/topology/summary.hpp"
#include "sim/topology/topology.hpp"
#include "tests/support/test_data.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>

using namespace shardsim;
using shardsim::test::TempFile;

TEST_CASE("every shipped topology loads and every GPU reaches every GPU and the network", "[topology]") {
  const auto names = shipped_instance_names();
  REQUIRE(names.size() >= 4);
  for (const auto& name : names) {
    INFO(name);
    const InstanceType inst = load_instance_by_name(name);
    REQUIRE(inst.gpus_per_node >= 1);
    REQUIRE(static_cast<int>(inst.nic_of_gpu.size()) == inst.gpus_per_node);
    CHECK(inst.has_network());
    for (int g = 0; g < inst.gpus_per_node; ++g) {
      CHECK(inst.nic_of_gpu[g] >= 0);
      for (int h = 0; h < inst.gpus_per_node; ++h)
        if (g != h) CHECK_FALSE(inst.gpu_route[g][h].links.empty());
    }
  }
}

TEST_CASE("instance figures come from the data", "[topology]") {
  const Cluster p4d = make_cluster(load_instance_by_name("p4d.24xlarge"), 16);
  const TopologySummary s = summarize(p4d);
  CHECK(s.gpus == 128);
  CHECK(s.nics_per_node == 4);
  // 4 NICs x 100 Gbps x efficiency 0.8 = 40 GB/s per node; bisection = 8 nodes' worth.
  CHECK(s.node_network_Bps == Approx(40e9));
  CHECK(s.bisection_Bps == Approx(320e9));
  REQUIRE(s.gpus_behind_nic.size() == 4);
  CHECK(s.gpus_behind_nic[0].second == std::vector<int>{0, 1});
  const Cluster p5 = make_cluster(load_instance_by_name("p5.48xlarge"), 2);
  CHECK(summarize(p5).nic_ports_per_node == 32);
}

TEST_CASE("p3dn routes use NVLink where a pair has one and PCIe where it has none", "[topology]") {
  const InstanceType inst = load_instance_by_name("p3dn.24xlarge");
  // gpu0-gpu3 is a double NVLink: one hop. gpu0-gpu5 has no NVLink: through PCIe and both CPUs.
  CHECK(inst.gpu_route[0][3].links.size() == 1);
  CHECK(inst.link_classes[inst.links[inst.gpu_route[0][3].links[0]].link_class].name == "nvlink2");
  CHECK(inst.gpu_route[0][5].links.size() == 5);
  // The ring over one node follows double NVLinks only (25 GB/s x 2 x 0.77).
  const Cluster one = make_cluster(inst, 1);
  const auto rings = build_channel_rings(one, {0, 1, 2, 3, 4, 5, 6, 7});
  REQUIRE(rings.size() == 1);
  const auto& r = rings[0];
  for (std::size_t i = 0; i < r.size(); ++i) {
    const auto& route = inst.gpu_route[r[i]][r[(i + 1) % r.size()]];
    REQUIRE(route.links.size() == 1);
    CHECK(inst.links[route.links[0]].capacity_Bps == Approx(2 * 25e9 * 0.77));
  }
}

TEST_CASE("p4d flat rings use one channel per NIC and cross each node boundary once per channel", "[topology]") {
  const Cluster c = make_cluster(load_instance_by_name("p4d.24xlarge"), 4);
  std::vector<int> world(32);
  for (int i = 0; i < 32; ++i) world[i] = i;
  const auto rings = build_channel_rings(c, world);
  REQUIRE(rings.size() == 4);
  for (const auto& r : rings) {
    int crossings = 0;
    for (std::size_t i = 0; i < r.size(); ++i) crossings += c.node_of(r[i]) != c.node_of(r[(i + 1) % r.size()]);
    CHECK(crossings == 4);
  }
}

namespace {

std::string topology_error(const std::string& json_text) {
  TempFile f("bad.json", json_text);
  try {
    load_instance_type(f.path());
  } catch (const InputError& e) {
    const std::string msg = e.what();
    CHECK(msg.find('\n') == std::string::npos);
    CHECK(msg.find("bad.json") != std::string::npos);
    return msg;
  }
  FAIL("no error for a bad topology");
  return "";
}

nlohmann::json valid_topology() {
  std::ifstream in(test::data_path("tests/data/uniform-1gpu.json"));
  return nlohmann::json::parse(in);
}

}  // namespace

TEST_CASE("malformed or inconsistent topologies give one-line errors naming file and problem", "[topology]") {
  auto t = valid_topology();
  t["links"][0]["between"][1] = "nic9";
  CHECK_THAT(topology_error(t.dump()), Catch::Contains("unknown link endpoint 'nic9'") && Catch::Contains("did you mean 'nic0'"));

  t = valid_topology();
  t["link_classes"]["uniform"]["bandwidth"] = "0GBps";
  CHECK_THAT(topology_error(t.dump()), Catch::Contains("/link_classes/uniform/bandwidth") && Catch::Contains("positive"));

  t = valid_topology();
  t.erase("gpus_per_node");
  CHECK_THAT(topology_error(t.dump()), Catch::Contains("/gpus_per_node") && Catch::Contains("missing"));

  t = valid_topology();
  t["gpu"]["peak_tflop"] = 3;
  CHECK_THAT(topology_error(t.dump()), Catch::Contains("unknown field 'peak_tflop'") && Catch::Contains("peak_tflops"));

  t = valid_topology();
  t["links"][1]["class"] = "unifrom";
  CHECK_THAT(topology_error(t.dump()), Catch::Contains("unknown link class 'unifrom'"));

  t = valid_topology();
  t["links"].erase(1);  // the NIC no longer reaches the leaf
  CHECK_THAT(topology_error(t.dump()), Catch::Contains("no link reaches leaf"));

  CHECK_THAT(topology_error("{\"name\": \"x\",\n \"gpu\": }"), Catch::Contains("bad.json:2:") && Catch::Contains("malformed JSON"));
  CHECK_THAT(topology_error(""), Catch::Contains("empty"));
  CHECK_THAT(topology_error("{\"name\": \"\xff\"}"), Catch::Contains("UTF-8"));
  CHECK_THAT(topology_error("[1, 2]"), Catch::Contains("expected a JSON object"));
}

TEST_CASE("missing files, directories and unknown instances", "[topology]") {
  CHECK_THROWS_WITH(load_instance_type("/nonexistent/x.json"), Catch::Contains("no such file"));
  CHECK_THROWS_WITH(load_instance_type("/tmp"), Catch::Contains("is a directory"));
  CHECK_THROWS_WITH(load_instance_by_name("p4dd.24xlarge"), Catch::Contains("unknown instance") && Catch::Contains("did you mean 'p4d.24xlarge'"));
  CHECK_THROWS_WITH(make_cluster(load_instance_by_name("p4d.24xlarge"), 0), Catch::Contains("at least 1"));
}
