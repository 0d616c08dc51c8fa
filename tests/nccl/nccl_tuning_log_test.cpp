// Reading NCCL's own TUNING table back (sim/nccl/nccl_tuning_log.hpp) and comparing it with the
// modelled one (nccl_table_compare.hpp): every layout round-trips the modelled table within the
// "%8.1f/%6.1f" print precision, the choice per size from the printed table equals nccl_select
// where the tables agree, the shipped logs (tests/nccl/data/, written by the hidden
// "[.generate]" case below from the modelled tables) parse to the model and the one with a
// changed cell is found, and malformed logs fail naming the line.
#include "sim/input/input_error.hpp"
#include "sim/nccl/nccl_table_compare.hpp"
#include "sim/nccl/nccl_tuning_log.hpp"
#include "sim/nccl/nccl_tuning_print.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <fstream>

using namespace shardsim;
using Catch::Matchers::Contains;

namespace {

using A = NcclAlgorithm;
using P = NcclProtocol;
using K = CollectiveKind;

constexpr std::array<K, 3> kKinds = {K::all_gather, K::reduce_scatter, K::all_reduce};
const std::string kData = std::string(SHARDSIM_DATA_DIR) + "/tests/nccl/data/";
const std::string kPrefix = "ip-10-0-1-17:4242:4301 [0] NCCL INFO ";

struct Case {
  const char* version;
  const char* instance;
  int nodes;
  NcclTuningLayout layout;
};
// Each release in the layout it printed its table in (2.8 and 2.12 one line, 2.18 two blocks, 2.28 blocks of 3).
constexpr std::array<Case, 5> kCases = {{{"2.8", "p4d.24xlarge", 2, NcclTuningLayout::single_line},
                                         {"2.12", "p4d.24xlarge", 2, NcclTuningLayout::single_line},
                                         {"2.18", "p4d.24xlarge", 4, NcclTuningLayout::half_blocks},
                                         {"2.28", "p4d.24xlarge", 2, NcclTuningLayout::blocks_of_three},
                                         {"2.28", "p4d.24xlarge", 1, NcclTuningLayout::blocks_of_three}}};

NcclSystem system_of(const std::string& instance, int nodes) {
  const InstanceType inst = load_instance_by_name(instance);
  return nccl_system(inst, nodes, inst.gpus_per_node);
}

std::array<NcclCostTable, 3> modelled(const NcclVersion& v, const NcclSystem& s) {
  std::array<NcclCostTable, 3> t;
  for (K k : kKinds) t[static_cast<int>(k)] = nccl_tune_model(v, s, k);
  return t;
}

NcclTuningPrintOptions options(const NcclVersion& v, NcclTuningLayout layout) {
  NcclTuningPrintOptions o;
  o.layout = layout;
  o.max_threads = v.chunking.max_threads;
  o.prefix = kPrefix;
  return o;
}

std::vector<double> sizes() {  // 8 B .. 8 GiB, x2: every switch point of these cases lies between two of them
  std::vector<double> out;
  for (double b = 8; b <= 8.0 * (1 << 30); b *= 2) out.push_back(b);
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Lines of a log around the table, as NCCL and the AWS plugin print them at init.
std::string log_head(const std::string& version, const std::string& cuda) {
  return fmt::format(
      "ip-10-0-1-17:4242:4242 [0] NCCL INFO Bootstrap : Using ens32:10.0.1.17<0>\n"
      "ip-10-0-1-17:4242:4242 [0] NCCL INFO NET/OFI Selected Provider is efa (found 4 nics)\n"
      "ip-10-0-1-17:4242:4242 [0] NCCL INFO NCCL version {}+cuda{}\n"
      "ip-10-0-1-17:4242:4301 [0] NCCL INFO Trees [0] 1/8/-1->0->-1 [1] 1/-1/-1->0->8 [2] 1/8/-1->0->-1 [3] 1/-1/-1->0->8\n",
      version, cuda);
}
const std::string kLogTail = "ip-10-0-1-17:4242:4301 [0] NCCL INFO comm 0x55d4e0 rank 0 nranks 16 cudaDev 0 busId 101c0 - Init COMPLETE\n";

// The shipped logs: name, release, instance, nodes, layout, and the tables after the first (other communicators).
struct ShippedLog {
  const char* file;
  const char* release;  // as the log's "NCCL version" line says it
  const char* cuda;
  Case first;
};
constexpr std::array<ShippedLog, 3> kShipped = {{
    {"p4d-2node-nccl2.12.log", "2.12.12", "11.6", {"2.12", "p4d.24xlarge", 2, NcclTuningLayout::single_line}},
    {"p4d-4node-nccl2.18.log", "2.18.3", "12.1", {"2.18", "p4d.24xlarge", 4, NcclTuningLayout::half_blocks}},
    {"p4d-2node-nccl2.28.log", "2.28.9", "12.9", {"2.28", "p4d.24xlarge", 2, NcclTuningLayout::blocks_of_three}},
}};
const char* const kChangedLog = "p4d-2node-nccl2.12-changed.log";
// The changed cell: AllReduce Tree/Simple at a third of the modelled bandwidth, so NCCL's table
// keeps Tree/LL128 for large all-reduces where the model switches to Tree/Simple.
constexpr double kChangedFactor = 1.0 / 3.0;

std::string shipped_text(const ShippedLog& s, bool changed) {
  const NcclVersion v = load_nccl_version(s.first.version);
  std::array<NcclCostTable, 3> t = modelled(v, system_of(s.first.instance, s.first.nodes));
  if (changed) t[static_cast<int>(K::all_reduce)][nccl_index(A::tree)][nccl_index(P::simple)].bandwidth_GBps *= kChangedFactor;
  std::string text = log_head(s.release, s.cuda) + print_nccl_tuning_table(t, options(v, s.first.layout));
  // The 2.28 log holds a second communicator: one node's 8 ranks (an intra-node group).
  if (s.first.layout == NcclTuningLayout::blocks_of_three)
    text += "ip-10-0-1-17:4242:4242 [0] NCCL INFO Using network AWS Libfabric\n" +
            print_nccl_tuning_table(modelled(v, system_of(s.first.instance, 1)), options(v, s.first.layout));
  return text + kLogTail;
}

}  // namespace

TEST_CASE("write the shipped NCCL TUNING logs from the modelled tables", "[.generate]") {
  // Run by hand after a model change: build/bin/shardsim_tests "[.generate]"
  for (const ShippedLog& s : kShipped) std::ofstream(kData + s.file, std::ios::binary) << shipped_text(s, false);
  std::ofstream(kData + kChangedLog, std::ios::binary) << shipped_text(kShipped[0], true);
}

TEST_CASE("every TUNING layout round-trips the modelled table within the print precision", "[nccl][tuning_log]") {
  for (const Case& c : kCases) {
    INFO(c.version << " " << c.nodes << " x " << c.instance << ", " << to_string(c.layout));
    const NcclVersion v = load_nccl_version(c.version);
    const NcclSystem s = system_of(c.instance, c.nodes);
    const std::array<NcclCostTable, 3> model = modelled(v, s);
    const NcclTuningLog log = parse_nccl_tuning_log(print_nccl_tuning_table(model, options(v, c.layout)), "mem.log");
    REQUIRE(log.tables.size() == 1);
    CHECK(log.incomplete.empty());
    const NcclPrintedTable& t = log.tables.front();
    CHECK(t.layout == c.layout);
    CHECK(t.line == 1);
    CHECK(t.algorithms == nccl_printed_algorithms(c.layout));
    for (K k : kKinds)
      for (A a : t.algorithms)
        for (P p : kAllNcclProtocols) {
          INFO(to_string(k) << " " << to_string(a) << "/" << to_string(p));
          const NcclCost& m = model[static_cast<int>(k)][nccl_index(a)][nccl_index(p)];
          const NcclCost& n = t.of(k)[nccl_index(a)][nccl_index(p)];
          REQUIRE(n.ineligible.empty() == m.ineligible.empty());
          if (!m.ineligible.empty()) continue;
          CHECK(n.latency_us == Approx(m.latency_us).margin(0.05 + 1e-9));
          CHECK(n.bandwidth_GBps == Approx(m.bandwidth_GBps).margin(0.05 + 1e-9));
        }
    for (K k : kKinds) {
      INFO(to_string(k));
      const NcclTableComparison cmp = compare_nccl_tables(v, s, k, t.of(k), sizes());
      CHECK(cmp.differing_cells == 0);
      // Where the tables agree, NCCL's table chooses what the model chooses at every size.
      CHECK(cmp.agreeing_sizes == static_cast<int>(cmp.choices.size()));
      for (const NcclChoiceComparison& ch : cmp.choices) {
        INFO(ch.bytes << " B");
        REQUIRE(ch.nccl);
        CHECK(ch.nccl->time_s == Approx(ch.model.time_s).epsilon(0.01));
        CHECK(ch.nccl->channels == ch.model.channels);
      }
    }
  }
}

TEST_CASE("the choice from a table equals nccl_select on the modelled table", "[nccl][tuning_log]") {
  for (const Case& c : kCases) {
    const NcclVersion v = load_nccl_version(c.version);
    const NcclSystem s = system_of(c.instance, c.nodes);
    for (K k : kKinds)
      for (double b : sizes()) {
        INFO(c.version << " " << to_string(k) << " " << b);
        const NcclChoice expected = nccl_select(v, s, k, b);
        const std::optional<NcclChoice> got = nccl_select_from_table(v, s, k, nccl_tune_model(v, s, k), b);
        REQUIRE(got);
        CHECK(got->algorithm == expected.algorithm);
        CHECK(got->protocol == expected.protocol);
        CHECK(got->channels == expected.channels);
        CHECK(got->time_s == expected.time_s);
      }
  }
}

TEST_CASE("the shipped TUNING logs are the modelled tables, in NCCL's exact format", "[nccl][tuning_log]") {
  for (const ShippedLog& s : kShipped) {
    INFO(s.file << " (after a model change: build/bin/shardsim_tests \"[.generate]\" rewrites it)");
    const std::string text = read_file(kData + s.file);
    CHECK(text == shipped_text(s, false));
    const NcclTuningLog log = read_nccl_tuning_log(kData + s.file);
    CHECK(log.nccl_version == s.release);
    CHECK(log.incomplete.empty());
    REQUIRE(log.tables.size() == (s.first.layout == NcclTuningLayout::blocks_of_three ? 2u : 1u));
    const NcclPrintedTable& t = nccl_tuning_table(log, 1);
    CHECK(t.line == 5);
    CHECK(t.layout == s.first.layout);
    const NcclVersion v = load_nccl_version(s.first.version);
    const NcclSystem sys = system_of(s.first.instance, s.first.nodes);
    for (K k : kKinds) CHECK(compare_nccl_tables(v, sys, k, t.of(k), sizes()).differing_cells == 0);
  }
  SECTION("the two-node all-reduce is NCCL's tree case: both tables choose Tree for 1 GiB") {
    const NcclTuningLog log = read_nccl_tuning_log(kData + kShipped[0].file);
    const NcclTableComparison cmp = compare_nccl_tables(load_nccl_version("2.12"), system_of("p4d.24xlarge", 2), K::all_reduce,
                                                        log.tables.front().of(K::all_reduce), {1 << 30});
    REQUIRE(cmp.choices.front().nccl);
    CHECK(cmp.choices.front().nccl->algorithm == A::tree);
    CHECK(cmp.choices.front().agree);
  }
  SECTION("the 2.28 log's second table is the one-node communicator") {
    const NcclTuningLog log = read_nccl_tuning_log(kData + kShipped[2].file);
    const NcclVersion v = load_nccl_version("2.28");
    const NcclPrintedTable& second = nccl_tuning_table(log, 2);
    for (K k : kKinds) CHECK(compare_nccl_tables(v, system_of("p4d.24xlarge", 1), k, second.of(k), sizes()).differing_cells == 0);
    CHECK(compare_nccl_tables(v, system_of("p4d.24xlarge", 2), K::all_gather, second.of(K::all_gather), {}).differing_cells > 0);
    CHECK_THROWS_WITH(nccl_tuning_table(log, 3), Contains("table 3 asked for, but the log holds 2 complete NCCL cost tables (on lines 5, 30)"));
    CHECK_THROWS_WITH(nccl_tuning_table(log, 0), Contains("expected 1 to 2"));
  }
}

TEST_CASE("the changed cell of a TUNING log is found, and the choice it changes", "[nccl][tuning_log]") {
  const std::string path = kData + kChangedLog;
  CHECK(read_file(path) == shipped_text(kShipped[0], true));
  const NcclTuningLog log = read_nccl_tuning_log(path);
  const NcclVersion v = load_nccl_version("2.12");
  const NcclSystem s = system_of("p4d.24xlarge", 2);
  const NcclTableComparison cmp = compare_nccl_tables(v, s, K::all_reduce, nccl_tuning_table(log, 1).of(K::all_reduce), sizes());
  REQUIRE(cmp.differing_cells == 1);
  for (const NcclCellComparison& c : cmp.cells) {
    if (!c.differs) continue;
    CHECK(c.algorithm == A::tree);
    CHECK(c.protocol == P::simple);
    REQUIRE(c.bandwidth_rel_diff);
    CHECK(*c.bandwidth_rel_diff == Approx(1 / kChangedFactor - 1).margin(0.01));
    CHECK(!c.latency_rel_diff.value_or(1));  // the latency is the same
  }
  // Small sizes still agree (latency-bound); the largest do not: NCCL's table stays on LL128.
  CHECK(cmp.choices.front().agree);
  const NcclChoiceComparison& last = cmp.choices.back();
  CHECK_FALSE(last.agree);
  CHECK(last.model.algorithm == A::tree);
  CHECK(last.model.protocol == P::simple);
  CHECK(last.nccl->algorithm == A::tree);
  CHECK(last.nccl->protocol == P::ll128);
  // The other collectives' rows are untouched.
  CHECK(compare_nccl_tables(v, s, K::all_gather, log.tables.front().of(K::all_gather), sizes()).differing_cells == 0);
}

TEST_CASE("a TUNING log among other lines: timestamps, interleaved INFO lines, CRLF, several communicators", "[nccl][tuning_log]") {
  const NcclVersion v = load_nccl_version("2.28");
  const std::array<NcclCostTable, 3> model = modelled(v, system_of("p4d.24xlarge", 2));
  NcclTuningPrintOptions o = options(v, NcclTuningLayout::blocks_of_three);
  o.prefix = "[2026-11-30 10:00:01] ip-10-0-1-17:4242:4301 [0] NCCL INFO ";
  std::string table = print_nccl_tuning_table(model, o);
  // Another thread's INFO line in the middle of the table, and a WARN.
  const auto middle = table.find('\n', table.size() / 2) + 1;
  table.insert(middle, "ip-10-0-1-17:4242:4242 [0] NCCL INFO AllReduce: 1048576 Bytes -> Algo RING proto LL128 channel{Lo..Hi}={0..7}\n"
                       "ip-10-0-1-17:4242:4242 [0] misc/socket.cc:50 NCCL WARN socket closed\n");
  std::string crlf;
  for (char ch : table) crlf += ch == '\n' ? std::string("\r\n") : std::string(1, ch);
  // A table cut short (its process stopped after the first block) before two complete ones.
  const std::string cut = table.substr(0, table.find("Algorithm", table.find("AllReduce |")));
  const std::string text = cut.substr(0, cut.rfind('\n') + 1) + crlf + table;
  const NcclTuningLog log = parse_nccl_tuning_log(text, "mixed.log");
  CHECK(log.tables.size() == 2);
  REQUIRE(log.incomplete.size() == 1);
  CHECK_THAT(log.incomplete.front(), Contains("line 1: the table's blocks end with CollnetDirect"));
  CHECK(compare_nccl_tables(v, system_of("p4d.24xlarge", 2), K::all_reduce, log.tables[1].of(K::all_reduce), {}).differing_cells == 0);
}

TEST_CASE("two processes' tables interleaved line by line are read apart", "[nccl][tuning_log]") {
  const NcclVersion v = load_nccl_version("2.18");
  NcclTuningPrintOptions o = options(v, NcclTuningLayout::half_blocks);
  const std::string one_node = print_nccl_tuning_table(modelled(v, system_of("p4d.24xlarge", 1)), o);
  o.prefix = "ip-10-0-1-18:5151:5199 [0] NCCL INFO ";  // another node's local rank 0 (rank 0 of its group)
  const std::string four_nodes = print_nccl_tuning_table(modelled(v, system_of("p4d.24xlarge", 4)), o);
  std::string text;
  for (std::size_t a = 0, b = 0; a < one_node.size() || b < four_nodes.size();) {
    for (const std::string* from : {&four_nodes, &one_node}) {
      std::size_t& at = from == &one_node ? a : b;
      if (at >= from->size()) continue;
      const std::size_t end = from->find('\n', at) + 1;
      text += from->substr(at, end - at);
      at = end;
    }
  }
  const NcclTuningLog log = parse_nccl_tuning_log(text, "two.log");
  REQUIRE(log.tables.size() == 2);
  CHECK(log.tables[0].line == 1);  // the four-node table's first line comes first
  CHECK(log.tables[1].line == 2);
  for (K k : kKinds) {
    CHECK(compare_nccl_tables(v, system_of("p4d.24xlarge", 4), k, log.tables[0].of(k), sizes()).differing_cells == 0);
    CHECK(compare_nccl_tables(v, system_of("p4d.24xlarge", 1), k, log.tables[1].of(k), sizes()).differing_cells == 0);
  }
}

TEST_CASE("malformed TUNING logs fail naming the file, the line and what was expected", "[nccl][tuning_log]") {
  const NcclVersion v = load_nccl_version("2.12");
  const std::string good = print_nccl_tuning_table(modelled(v, system_of("p4d.24xlarge", 2)), options(v, NcclTuningLayout::single_line));
  // Lines: 1 header, 2 Max NThreads, 3 Broadcast, 4 Reduce, 5 AllGather, 6 ReduceScatter, 7 AllReduce.
  auto line_start = [&](int n) {
    std::size_t at = 0;
    for (int i = 1; i < n; ++i) at = good.find('\n', at) + 1;
    return at;
  };
  auto replace_line = [&](int n, const std::string& with) {
    const std::size_t b = line_start(n), e = good.find('\n', b);
    return good.substr(0, b) + with + good.substr(e);
  };
  const std::string row7 = good.substr(line_start(7), good.find('\n', line_start(7)) - line_start(7));
  auto fails = [](const std::string& text, const std::string& what) {
    CHECK_THROWS_AS(parse_nccl_tuning_log(text, "bad.log"), InputError);
    CHECK_THROWS_WITH(parse_nccl_tuning_log(text, "bad.log"), Contains(what));
  };
  SECTION("a truncated row") { fails(good.substr(0, line_start(7) + row7.size() - 10), "bad.log:7: the AllReduce row is truncated: 8 complete cells, expected 9"); }
  SECTION("a truncated cell") { fails(replace_line(7, row7.substr(0, row7.size() - 5)), "bad.log:7: the AllReduce row is truncated"); }
  SECTION("an unknown algorithm") {
    std::string header = good.substr(0, good.find('\n'));
    header.replace(header.find("   Tree/    LL"), 14, "   Trie/    LL");
    fails(replace_line(1, header), "bad.log:1: in the table header: unknown NCCL algorithm 'Trie'");
  }
  SECTION("an unknown protocol") {
    std::string header = good.substr(0, good.find('\n'));
    header.replace(header.find("   Tree/    LL"), 14, "   Tree/  LL64");
    fails(replace_line(1, header), "bad.log:1: in the table header: unknown NCCL protocol 'LL64'");
  }
  SECTION("a cell that is not a number") {
    std::string row = row7;
    row.replace(row.find('|') + 1, 16, "     abc/  12.0 ");
    fails(replace_line(7, row), "bad.log:7: cell 1 of the AllReduce row is 'abc/  12.0', expected 'latency/bandwidth' as two numbers");
  }
  SECTION("a negative bandwidth") {
    std::string row = row7;
    row.replace(row.find('|') + 1, 16, "     1.0/  -1.0 ");
    fails(replace_line(7, row), "bad.log:7: cell 1 of the AllReduce row");
  }
  SECTION("too many cells") { fails(replace_line(7, row7 + "     1.0/   1.0 |"), "bad.log:7: the AllReduce row has 10 cells, expected 9"); }
  SECTION("a row outside a table") { fails(good.substr(line_start(3)), "bad.log:1: a Broadcast row outside a table"); }
  SECTION("a row twice") { fails(good + row7 + "\n", "bad.log:8: a second AllReduce row"); }
  SECTION("a block out of order") {
    fails(kPrefix + "  Algorithm   |                           NVLS                  |\n",
          "bad.log:1: a block beginning with NVLS outside a table");
  }
  SECTION("no table at all") {
    const NcclTuningLog log = parse_nccl_tuning_log(log_head("2.12.12", "11.6") + kLogTail, "empty.log");
    CHECK(log.nccl_version == "2.12.12");
    CHECK_THROWS_WITH(nccl_tuning_table(log, 1), Contains("empty.log: no complete NCCL cost table, expected the table rank 0 prints"));
  }
  SECTION("only an incomplete table") {
    const NcclTuningLog log = parse_nccl_tuning_log(good.substr(0, line_start(6)), "short.log");
    CHECK_THROWS_WITH(nccl_tuning_table(log, 1), Contains("no complete NCCL cost table (line 1: the table of Tree, Ring, CollnetDirect lacks the ReduceScatter, AllReduce rows)"));
  }
  SECTION("a missing file") { CHECK_THROWS_WITH(read_nccl_tuning_log(kData + "no-such.log"), Contains("no-such.log: no such file")); }
}

TEST_CASE("NCCL's per-call choice lines are read and compared with the model's choice for the same call", "[nccl][tuning_log]") {
  const NcclTuningLog log = read_nccl_tuning_log(kData + "p4de-2node-calls-nccl2.28.log");
  CHECK(log.tables.empty());
  CHECK(log.nccl_version == "2.28.9");
  // Five AllReduce lines and one AllGather; the Broadcast line is not a modelled collective.
  REQUIRE(log.calls.size() == 6);
  CHECK(log.calls[3].line == 6);
  CHECK(log.calls[3].algorithm == A::tree);  // "TREE": NCCL's spellings in any case
  CHECK(log.calls[3].protocol == P::ll128);
  CHECK(log.calls[3].channels == 8);
  CHECK(log.calls[5].kind == K::all_gather);
  CHECK(log.calls[5].logged_bytes == 1048576);

  const NcclVersion v = load_nccl_version("2.28");
  const NcclSystem s = system_of("p4de.24xlarge", 2);
  const auto ar = compare_nccl_calls(v, s, K::all_reduce, log.calls);
  REQUIRE(ar.size() == 4);  // the two 8-byte calls are one row
  CHECK(ar[0].calls == 2);
  CHECK(ar[0].bytes == 8);
  for (const auto& c : ar) CHECK(c.model.algorithm == nccl_select(v, s, K::all_reduce, c.bytes).algorithm);
  CHECK(ar[0].agree);
  CHECK(ar[1].agree);
  CHECK(ar[2].agree);
  CHECK_FALSE(ar[3].agree);  // the log's 1 GiB ring against the model's two-node tree
  CHECK(ar[3].model.algorithm == A::tree);
  // AllGather: the logged per-rank bytes times the 16 ranks is nccl-tests' size.
  const auto ag = compare_nccl_calls(v, s, K::all_gather, log.calls);
  REQUIRE(ag.size() == 1);
  CHECK(ag[0].bytes == 16.0 * 1048576);
  CHECK(ag[0].agree);
}

TEST_CASE("malformed per-call lines fail naming the line", "[nccl][tuning_log]") {
  const std::string head = kPrefix + "AllReduce: 8 Bytes -> Algo Tree proto LL channel{Lo..Hi}={0..0}\n";
  auto fails = [](const std::string& text, const std::string& what) {
    CHECK_THROWS_AS(parse_nccl_tuning_log(text, "calls.log"), InputError);
    CHECK_THROWS_WITH(parse_nccl_tuning_log(text, "calls.log"), Contains(what));
  };
  fails(head + kPrefix + "AllReduce: 8 Bytes -> Algo Tree proto LL\n", "calls.log:2: a per-call line 'AllReduce: 8 Bytes -> Algo Tree proto LL' does not parse");
  fails(head + kPrefix + "AllGather: 64 Bytes -> Algo Fast proto LL channel{Lo..Hi}={0..0}\n", "calls.log:2: in a per-call line: unknown NCCL algorithm 'Fast'");
  fails(head + kPrefix + "AllGather: 64 Bytes -> Algo Ring proto LL channel{Lo..Hi}={3..1}\n", "calls.log:2: a per-call line's channel{Lo..Hi}={3..1}");
  fails(head + kPrefix + "AllGather: 99999999999999999999999 Bytes -> Algo Ring proto LL channel{Lo..Hi}={0..0}\n", "calls.log:2: a per-call line");
  // Collectives shardsim does not model are skipped, whatever their algorithm.
  CHECK(parse_nccl_tuning_log(head + kPrefix + "Send: 64 Bytes -> Algo Whatever proto LL channel{Lo..Hi}={0..0}\n", "calls.log").calls.size() == 1);
}
