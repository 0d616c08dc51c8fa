// Calibration from nccl-tests logs: the parser reads the shipped logs (nccl-tests' exact text
// format) row for row, the NCCL network fit gives back the plugin latency (60 us) and inter-node
// bandwidth efficiency (0.8) the logs were generated with (NCCL 2.28's own prediction on p4d,
// tests/validate/data/make_nccl_tests_logs.py), the calibrated topology carries them, and bad logs
// are refused with one line naming the file and line.
#include "sim/input/input_error.hpp"
#include "validate/calibrate/nccl_calibrated_block.hpp"
#include "validate/calibrate/nccl_network_fit.hpp"
#include "validate/calibrate/nccl_tests_log.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace shardsim;
using namespace shardsim::validate;
using Catch::Matchers::Contains;

namespace {

const std::string kData = std::string(SHARDSIM_DATA_DIR) + "/tests/validate/data/";
const std::string kP4d = std::string(SHARDSIM_DATA_DIR) + "/topologies/p4d.24xlarge.json";
const std::string kAllReduce2 = kData + "nccl-tests-all_reduce-p4d-2node.log";
const std::string kAllReduce4 = kData + "nccl-tests-all_reduce-p4d-4node.log";
const std::string kAllGather4 = kData + "nccl-tests-all_gather-p4d-4node.log";
const std::string kReduceScatter2 = kData + "nccl-tests-reduce_scatter-p4d-2node.log";

std::string text_of(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The log's text with line `n` (1-based) replaced.
std::string with_line(const std::string& text, int n, const std::string& replacement) {
  std::istringstream in(text);
  std::ostringstream out;
  int i = 0;
  for (std::string line; std::getline(in, line);) out << (++i == n ? replacement : line) << "\n";
  return out.str();
}

}  // namespace

TEST_CASE("nccl-tests parser: the shipped all_reduce_perf log on 2 p4d nodes, row for row") {
  const NcclTestsLog log = read_nccl_tests_log(kAllReduce2);
  CHECK(log.kind == CollectiveKind::all_reduce);  // from "all_reduce_perf" on the mpirun line
  CHECK(log.nodes == 2);                           // two hosts among the 16 Rank lines
  CHECK(log.ranks_per_node == 8);
  REQUIRE(log.rows.size() == 28);  // 8 B .. 1 GiB, factor 2
  const auto& first = log.rows.front();
  CHECK(first.origin == kAllReduce2 + ":25");
  CHECK(first.bytes == 8);
  CHECK(first.count_elements == 2);
  CHECK(first.type == "float");
  CHECK(first.redop == "sum");
  CHECK(first.root == -1);
  CHECK(first.out_of_place_time_us == 145.2);
  CHECK(first.in_place_time_us == 145.8);
  const auto& last = log.rows.back();
  CHECK(last.bytes == 1073741824.0);
  CHECK(last.count_elements == 268435456);
  CHECK(last.out_of_place_time_us == 30726);
  CHECK(last.out_of_place_algbw_GBps == 34.95);
  CHECK(last.out_of_place_busbw_GBps == 65.52);
  CHECK(last.in_place_time_us == 30849);
  REQUIRE(log.avg_busbw_GBps);
  CHECK(*log.avg_busbw_GBps == 17.3401);
}

TEST_CASE("nccl-tests parser: all_gather_perf and all_reduce_perf on 4 nodes, reduce_scatter_perf on 2") {
  const NcclTestsLog ag = read_nccl_tests_log(kAllGather4);
  CHECK(ag.kind == CollectiveKind::all_gather);
  CHECK(ag.nodes == 4);
  CHECK(ag.ranks_per_node == 8);
  REQUIRE(ag.rows.size() == 21);  // 1 KiB .. 1 GiB
  CHECK(ag.rows.front().bytes == 1024);
  CHECK(ag.rows.front().count_elements == 8);  // per rank: 1024 B / 4 B / 32 ranks
  CHECK(ag.rows.front().redop == "none");
  CHECK(ag.rows.front().out_of_place_time_us == 222.8);
  CHECK(ag.rows.back().out_of_place_time_us == 27594);
  const NcclTestsLog ar = read_nccl_tests_log(kAllReduce4);
  CHECK(ar.nodes == 4);
  REQUIRE(ar.rows.size() == 28);
  CHECK(ar.rows.front().out_of_place_time_us == 275.2);
  CHECK(ar.rows.back().out_of_place_time_us == 55580);
  const NcclTestsLog rs = read_nccl_tests_log(kReduceScatter2);
  CHECK(rs.kind == CollectiveKind::reduce_scatter);
  CHECK(rs.nodes == 2);
  REQUIRE(rs.rows.size() == 21);
  CHECK(rs.rows.front().origin == kReduceScatter2 + ":25");
  CHECK(rs.rows.front().count_elements == 16);  // per rank: 1024 B / 4 B / 16 ranks
  CHECK(rs.rows.front().redop == "sum");
  CHECK(rs.rows.front().out_of_place_time_us == 83.35);
  CHECK(rs.rows.front().in_place_time_us == 83.68);
  CHECK(rs.rows.back().out_of_place_busbw_GBps == 38.12);
  CHECK(*rs.avg_busbw_GBps == 14.9889);
}

TEST_CASE("nccl-tests parser: the caller supplies what the log lacks") {
  std::string text = text_of(kAllReduce2);
  // No program name and no Rank lines: --collective, --nodes and --ranks-per-node stand in.
  std::istringstream in(text);
  std::ostringstream kept;
  for (std::string line; std::getline(in, line);)
    if (line.rfind("+ mpirun", 0) != 0 && line.find("Rank ") == std::string::npos) kept << line << "\n";
  NcclTestsDefaults d;
  d.kind = CollectiveKind::reduce_scatter;
  d.nodes = 2;
  d.ranks_per_node = 4;
  const NcclTestsLog log = parse_nccl_tests_log(kept.str(), "plain.log", d);
  CHECK(log.kind == CollectiveKind::reduce_scatter);
  CHECK(log.nodes == 2);
  CHECK(log.ranks_per_node == 4);
  CHECK(log.rows.size() == 28);
  REQUIRE_THROWS_WITH(parse_nccl_tests_log(kept.str(), "plain.log", {CollectiveKind::all_reduce, 0, 0}),
                      Contains("plain.log: no '#  Rank N ... on HOST' lines; give --nodes and --ranks-per-node"));
}

TEST_CASE("nccl-tests parser: an older release's 12 columns (no root, an error column)") {
  const std::string text =
      "# nThread 1 nGpus 8 minBytes 1048576 maxBytes 2097152 step: 2(factor) warmup iters: 5 iters: 20 validation: 1\n"
      "#\n"
      "#                                                     out-of-place                       in-place          \n"
      "#       size         count    type   redop     time   algbw   busbw  error     time   algbw   busbw  error\n"
      "#        (B)    (elements)                     (us)  (GB/s)  (GB/s)            (us)  (GB/s)  (GB/s)       \n"
      "     1048576        262144   float     sum    123.4    8.50   15.93  2e-07    124.0    8.46   15.85  2e-07\n"
      "     2097152        524288   float     sum    160.1   13.10   24.56  0e+00    161.0   13.03   24.42  0e+00\n"
      "# Out of bounds values : 0 OK\n"
      "# Avg bus bandwidth    : 20.19 \n";
  const NcclTestsLog log = parse_nccl_tests_log(text, "all_reduce_perf-2021.log", {std::nullopt, 2, 8});
  CHECK(log.kind == CollectiveKind::all_reduce);  // from the file name
  REQUIRE(log.rows.size() == 2);
  CHECK(log.rows[0].redop == "sum");
  CHECK(log.rows[0].root == -1);
  CHECK(log.rows[0].out_of_place_time_us == 123.4);
  CHECK(log.rows[0].out_of_place_busbw_GBps == 15.93);  // a 2e-07 max error is rounding, not a wrong answer
  CHECK(log.rows[1].in_place_time_us == 161.0);
  CHECK(log.nodes == 2);
  CHECK(log.nccl_version.empty());
  const std::string info = "ip-10-0-0-1:4242:4242 [0] NCCL INFO NCCL version 2.10.3+cuda11.4\n" + text;
  CHECK(parse_nccl_tests_log(info, "all_reduce_perf-2021.log", {std::nullopt, 2, 8}).nccl_version == "2.10.3");
  const std::string header = "# nccl-tests version 2.13.8 nccl-headers=21803 nccl-library=21805\n" + text;
  CHECK(parse_nccl_tests_log(header, "all_reduce_perf-2021.log", {std::nullopt, 2, 8}).nccl_version == "2.18.5");
}

TEST_CASE("nccl-tests parser: refusals name the file and line") {
  const std::string text = text_of(kAllReduce2);
  SECTION("a truncated row") {
    REQUIRE_THROWS_WITH(parse_nccl_tests_log(with_line(text, 30, "         256            64     float     sum      -1    145.2"), "cut.log"),
                        Contains("cut.log:30: a data row has 6 fields, expected 13 (the columns named at cut.log:23)") &&
                            Contains("truncated log?"));
  }
  SECTION("a value that is not a number") {
    REQUIRE_THROWS_WITH(parse_nccl_tests_log(with_line(text, 26, "          16             4     float     sum      -1    14x.2    0.00    0.00      0    145.8    0.00    0.00      0"), "x.log"),
                        Contains("x.log:26: column 'time' is '14x.2', expected a number"));
  }
  SECTION("wrong results") {
    REQUIRE_THROWS_WITH(parse_nccl_tests_log(with_line(text, 26, "          16             4     float     sum      -1    145.2    0.00    0.00      3    145.8    0.00    0.00      0"), "w.log"),
                        Contains("w.log:26: out-of-place #wrong is 3"));
  }
  SECTION("an unknown collective") {
    REQUIRE_THROWS_WITH(parse_nccl_tests_log(with_line(text, 1, "+ mpirun ./sendrecv_perf"), "mystery.log"),
                        Contains("mystery.log: unknown collective"));
  }
  SECTION("a log with no rows") {
    const std::string header_only = text.substr(0, text.find("           8             2"));
    REQUIRE_THROWS_WITH(parse_nccl_tests_log(header_only, "empty.log"), Contains("empty.log: no data rows"));
  }
  SECTION("a missing file") {
    REQUIRE_THROWS_WITH(read_nccl_tests_log("/nonexistent/all_reduce_perf.log"), Contains("no such file"));
  }
}

TEST_CASE("NCCL network fit: recovers the plugin latency and bandwidth efficiency the logs were made with") {
  const InstanceType p4d = load_instance_type(kP4d);
  const NcclVersion v228 = load_nccl_version("2.28");
  const auto samples = nccl_fit_samples({read_nccl_tests_log(kAllReduce2), read_nccl_tests_log(kAllReduce4),
                                         read_nccl_tests_log(kAllGather4), read_nccl_tests_log(kReduceScatter2)});
  REQUIRE(samples.size() == 98);
  const NcclNetworkFit fit = fit_nccl_network(v228, p4d, samples);
  // The logs print 4 significant digits of time: the fit is exact to well within that.
  CHECK(fit.params.plugin_latency_us == Approx(60).margin(0.5));
  CHECK(fit.params.inter_bw_efficiency == Approx(0.8).margin(0.002));
  CHECK(fit.summary.median_abs_error_pct < 0.05);
  CHECK(fit.summary.max_abs_error_pct < 0.1);
  // Two-node all-reduces run as trees, the 1 GiB all-gather as a ring (NCCL's choice at the fit).
  CHECK(to_string(fit.choices.front().algorithm) == std::string("Tree"));
  CHECK(to_string(fit.choices[76].algorithm) == std::string("Ring"));

  SECTION("the calibrated topology carries the fitted values and loads") {
    std::ifstream in(kP4d);
    auto doc = nlohmann::ordered_json::parse(in);
    apply_nccl_network_fit(doc, fit, nccl_fit_source(fit, "2.28", {"a.log"}));
    const std::string path =
        (std::filesystem::temp_directory_path() / ("shardsim-nccl-calibrated-test-" + std::to_string(::getpid()) + ".json")).string();
    std::ofstream(path) << doc.dump(2);
    const InstanceType calibrated = load_instance_type(path);
    REQUIRE(calibrated.nccl);
    CHECK(calibrated.nccl->plugin_latency_us == Approx(fit.params.plugin_latency_us));
    CHECK(calibrated.nccl->multi_node_ring.bw_inter_GBps == Approx(12 * fit.params.inter_bw_efficiency));
    CHECK(calibrated.nccl->multi_node_tree.bw_intra_GBps == Approx(24 * fit.params.inter_bw_efficiency));
    CHECK(calibrated.nccl->single_node.bw_intra_GBps == 20);  // no network inside one node
    CHECK_THAT(calibrated.nccl->source, Contains("fitted by shardsim-calibrate to NCCL 2.28") && Contains("a.log") &&
                                            Contains("not the plugin's tuning knob"));
    // NCCL's prediction on the calibrated file is the fit's.
    const auto again = nccl_predictions(v228, calibrated, samples, {calibrated.nccl->plugin_latency_us, 1});
    CHECK(again.back().time_s == Approx(fit.choices.back().time_s).epsilon(1e-9));
    std::filesystem::remove(path);
  }
}

TEST_CASE("NCCL network fit: single-node rows alone identify nothing") {
  const InstanceType p4d = load_instance_type(kP4d);
  std::vector<NcclFitSample> one_node{{"x.log:9", CollectiveKind::all_reduce, 1, 8, 1 << 20, 50e-6}};
  REQUIRE_THROWS_WITH(fit_nccl_network(load_nccl_version("2.28"), p4d, one_node), Contains("no nccl-tests row spans more than one node"));
  std::vector<NcclFitSample> too_wide{{"y.log:9", CollectiveKind::all_reduce, 2, 16, 1 << 20, 50e-6}};
  REQUIRE_THROWS_WITH(fit_nccl_network(load_nccl_version("2.28"), p4d, too_wide), Contains("y.log:9: ranks per node"));
}
