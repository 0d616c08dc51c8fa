// Reading ncclTopoTuneModel's printed table back (see nccl_tuning_log.hpp).
#include "sim/nccl/nccl_tuning_log.hpp"

#include "sim/input/input_error.hpp"
#include "sim/input/json_reader.hpp"
#include "sim/input/text.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <optional>
#include <regex>
#include <utility>

namespace shardsim {
namespace {

using A = NcclAlgorithm;
using P = NcclProtocol;

// ncclFuncStr, the same in every release read (v2.8.3 .. v2.30.7); only the last three are modelled.
constexpr std::array<std::string_view, 5> kFunctions = {"Broadcast", "Reduce", "AllGather", "ReduceScatter", "AllReduce"};
constexpr int kFirstModelledFunction = 2;  // AllGather, ReduceScatter, AllReduce = CollectiveKind order
// Tables kept from one log: each is a few KB in memory, and a 16 MiB log of real ones (2-9 KB of
// text each) holds fewer than 8,000; a log of tiny hand-made tables stops here.
constexpr std::size_t kMaxTables = 10'000;
// NCCL's MAXCHANNELS (src/include/device.h: 64 before 2.19, 128 since): a wider range is not NCCL's.
constexpr long kMaxChannels = 128;

// One printed table while it is being read.
struct Pending {
  int line = 0;
  bool blocks = false;
  std::vector<A> algorithms;
  // The current block (or the single-line header): its columns and the function rows seen.
  int block_line = 0;
  std::vector<A> block_algorithms;
  std::vector<std::pair<A, P>> columns;  // empty until a block's Protocol line
  std::array<bool, kFunctions.size()> seen{};
  // The modelled functions' cells as read; the full table is built once the table is complete (a
  // log may hold thousands of tables, one per interleaved source, open at once).
  struct Cell {
    int kind;
    A algorithm;
    P protocol;
    double latency_us, bandwidth_GBps;
  };
  std::vector<Cell> cells;
  std::string missing;  // why it is not complete; empty while it may still be

  bool block_complete() const {
    for (bool s : seen)
      if (!s) return false;
    return !columns.empty();
  }
};

class Reader {
 public:
  Reader(std::string file) { log_.file = std::move(file); }

  void line(int number, std::string_view raw) {
    line_ = number;
    if (log_.nccl_version.empty()) find_version(raw);
    // The message follows NCCL's level tag ("[%d] NCCL INFO "); the text before it varies
    // (hostname:pid:tid, an optional timestamp, a launcher's rank prefix).
    const auto at = raw.find("NCCL INFO ");
    if (at == std::string_view::npos) return;
    const std::string_view text = raw.substr(at + 10);
    if (text.find(" Bytes -> Algo ") != std::string_view::npos) return call(text);
    if (text.find('|') == std::string_view::npos) return;
    // Tables of different processes or threads may interleave (several communicators' rank 0 in one
    // combined log): each "host:pid:tid [dev]" source reads its own table.
    const std::vector<std::string_view> fields = split(text, '|');
    const std::string_view label = trim(fields.front());
    const std::string key(source(raw.substr(0, at)));
    const bool header = label == "Latency/AlgBw" || label == "Algorithm";
    const auto slot = open_.find(key);
    table_ = slot != open_.end() ? &slot->second : header ? &open_[key] : &none_;
    if (label == "Latency/AlgBw") return single_line_header(fields);
    if (label == "Algorithm") return algorithm_header(fields);
    if (label == "Protocol") return protocol_line(fields);
    if (label == "Max NThreads") return;
    for (std::size_t f = 0; f < kFunctions.size(); ++f)
      if (label == kFunctions[f]) return function_row(static_cast<int>(f), fields);
    // Another INFO message with a '|' in it: not the table.
  }

  NcclTuningLog finish() {
    for (auto& [key, slot] : open_) {
      table_ = &slot;
      close_table();
    }
    std::sort(log_.tables.begin(), log_.tables.end(), [](const auto& a, const auto& b) { return a.line < b.line; });
    std::sort(incomplete_.begin(), incomplete_.end());
    for (auto& [line, why] : incomplete_) log_.incomplete.push_back(std::move(why));
    return std::move(log_);
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw InputError(fmt::format("{}:{}: {}", log_.file, line_, what)); }

  void find_version(std::string_view raw) {
    if (raw.find("NCCL version ") == std::string_view::npos) return;
    static const std::regex version(R"(NCCL version (\d+\.\d+\.\d+))");
    std::match_results<std::string_view::const_iterator> m;
    if (std::regex_search(raw.begin(), raw.end(), m, version)) log_.nccl_version = m[1].str();
  }

  // A per-call choice line (NcclLoggedCall).
  void call(std::string_view text) {
    static const std::regex pattern(R"(^\s*(\w+): (\d{1,19}) Bytes -> Algo (\S+) proto (\S+) channel\{Lo\.\.Hi\}=\{(\d{1,6})\.\.(\d{1,6})\})");
    std::match_results<std::string_view::const_iterator> m;
    if (!std::regex_search(text.begin(), text.end(), m, pattern))
      fail(fmt::format("a per-call line '{}' does not parse, expected '<Function>: <bytes> Bytes -> Algo <algorithm> proto "
                       "<protocol> channel{{Lo..Hi}}={{<lo>..<hi>}}', as NCCL prints it",
                       trim(text)));
    const std::string function = m[1].str();
    const auto kind = function == "AllReduce"       ? std::optional(CollectiveKind::all_reduce)
                      : function == "AllGather"     ? std::optional(CollectiveKind::all_gather)
                      : function == "ReduceScatter" ? std::optional(CollectiveKind::reduce_scatter)
                                                    : std::nullopt;
    if (!kind) return;  // Broadcast, Reduce, Send, Recv: not modelled
    NcclLoggedCall c;
    c.line = line_;
    c.kind = *kind;
    c.logged_bytes = std::stod(m[2].str());
    c.algorithm = algorithm(m[3].str(), "in a per-call line");
    c.protocol = protocol(m[4].str(), "in a per-call line");
    const long lo = std::stol(m[5].str()), hi = std::stol(m[6].str());
    if (hi < lo || hi - lo >= kMaxChannels)
      fail(fmt::format("a per-call line's channel{{Lo..Hi}}={{{}..{}}}, expected Lo <= Hi and at most {} channels", lo, hi, kMaxChannels));
    c.channels = static_cast<int>(hi - lo + 1);
    log_.calls.push_back(c);
  }

  // `where` prefixes the error: the line is a table header or a per-call line.
  A algorithm(std::string_view name, std::string_view where = "in the table header") const {
    if (name == "CollNet") return A::collnet_direct;  // v2.8-v2.13's one CollNet is index 2, the direct one
    try {
      return parse_nccl_algorithm(std::string(name));
    } catch (const InputError& e) {
      fail(fmt::format("{}: {}", where, e.what()));
    }
  }

  P protocol(std::string_view name, std::string_view where = "in the table header") const {
    try {
      return parse_nccl_protocol(std::string(name));
    } catch (const InputError& e) {
      fail(fmt::format("{}: {}", where, e.what()));
    }
  }

  // The text after the last '|' must be empty: NCCL ends every table line with " |".
  void check_ends(const std::vector<std::string_view>& fields, std::string_view what) const {
    if (!trim(fields.back()).empty())
      fail(fmt::format("{} ends in '{}', expected each column to end with ' |' (a truncated line?)", what, trim(fields.back())));
  }

  void single_line_header(const std::vector<std::string_view>& fields) {
    close_table();
    check_ends(fields, "the 'Latency/AlgBw |' header");
    Pending t;
    t.line = t.block_line = line_;
    for (std::size_t i = 1; i + 1 < fields.size(); ++i) {
      const std::vector<std::string_view> parts = split(fields[i], '/');
      if (parts.size() != 2)
        fail(fmt::format("column {} of the 'Latency/AlgBw |' header is '{}', expected 'Algorithm/Protocol' (' %7s/%6s |')", i,
                         trim(fields[i])));
      const A a = algorithm(trim(parts[0]));
      t.columns.emplace_back(a, protocol(trim(parts[1])));
      if (t.algorithms.empty() || t.algorithms.back() != a) t.algorithms.push_back(a);
    }
    if (t.columns.empty()) fail("the 'Latency/AlgBw |' header names no column, expected ' Algorithm/Protocol |' per column");
    t.block_algorithms = t.algorithms;
    *table_ = std::move(t);
  }

  void algorithm_header(const std::vector<std::string_view>& fields) {
    check_ends(fields, "the '  Algorithm   |' header");
    std::vector<A> algos;
    for (std::size_t i = 1; i + 1 < fields.size(); ++i) algos.push_back(algorithm(trim(fields[i])));
    if (algos.empty()) fail("the '  Algorithm   |' header names no algorithm, expected 1 to 3 names");
    for (std::size_t i = 1; i < algos.size(); ++i)
      if (nccl_index(algos[i]) != nccl_index(algos[i - 1]) + 1)
        fail(fmt::format("the block names {} after {}, expected NCCL's algorithm order (Tree, Ring, CollNetDirect, "
                         "CollNetChain, NVLS, NVLSTree, PAT)",
                         to_string(algos[i]), to_string(algos[i - 1])));
    if (algos.front() == A::tree) {
      close_table();
      Pending t;
      t.line = line_;
      t.blocks = true;
      *table_ = std::move(t);
    } else {
      if (!*table_ || !(*table_)->blocks)
        fail(fmt::format("a block beginning with {} outside a table, expected the first block to begin with Tree",
                         to_string(algos.front())));
      Pending& t = **table_;
      if (!t.block_complete()) {
        t.missing = fmt::format("line {}: the block of {} lacks function rows", t.block_line, fmt::join(names(t.block_algorithms), ", "));
      } else if (nccl_index(algos.front()) != nccl_index(t.algorithms.back()) + 1) {
        fail(fmt::format("a block beginning with {} after one ending with {}, expected the next algorithm in NCCL's order",
                         to_string(algos.front()), to_string(t.algorithms.back())));
      }
    }
    Pending& t = **table_;
    t.block_line = line_;
    t.block_algorithms = algos;
    t.algorithms.insert(t.algorithms.end(), algos.begin(), algos.end());
    t.columns.clear();
    t.seen = {};
  }

  void protocol_line(const std::vector<std::string_view>& fields) {
    if (!*table_ || !(*table_)->blocks || (*table_)->block_algorithms.empty())
      fail("a '  Protocol    |' line outside a table, expected it after an '  Algorithm   |' header");
    check_ends(fields, "the '  Protocol    |' line");
    Pending& t = **table_;
    // NCCL prints 3 protocols per block slot, used or not (9 even for PAT alone).
    const std::size_t needed = t.block_algorithms.size() * kNcclProtocols;
    if (fields.size() - 2 < needed)
      fail(fmt::format("the '  Protocol    |' line names {} protocols, expected at least {} ({} per algorithm)", fields.size() - 2,
                       needed, kNcclProtocols));
    t.columns.clear();
    for (std::size_t i = 0; i < needed; ++i) t.columns.emplace_back(t.block_algorithms[i / kNcclProtocols], protocol(trim(fields[i + 1])));
  }

  void function_row(int function, const std::vector<std::string_view>& fields) {
    const std::string_view name = kFunctions[function];
    if (!*table_) fail(fmt::format("a {} row outside a table, expected a 'Latency/AlgBw |' or '  Algorithm   |' header before it", name));
    Pending& t = **table_;
    if (t.columns.empty()) fail(fmt::format("a {} row before the '  Protocol    |' line of the block on line {}", name, t.block_line));
    if (t.seen[function]) fail(fmt::format("a second {} row in the table block on line {}, expected one row per function", name, t.block_line));
    const std::size_t cells = fields.size() - 2;
    if (cells < t.columns.size() || !trim(fields.back()).empty())
      fail(fmt::format("the {} row is truncated: {} complete cells, expected {} ('%8.1f/%6.1f |' per algorithm and protocol of "
                       "the header on line {})",
                       name, cells, t.columns.size(), t.block_line));
    if (cells > t.columns.size())
      fail(fmt::format("the {} row has {} cells, expected {} (one per algorithm and protocol of the header on line {})", name, cells,
                       t.columns.size(), t.block_line));
    for (std::size_t i = 0; i < cells; ++i) {
      const auto [a, p] = t.columns[i];
      const auto [latency_us, bandwidth_GBps] = cell(name, i, fields[i + 1]);
      if (function < kFirstModelledFunction) continue;
      t.cells.push_back({function - kFirstModelledFunction, a, p, latency_us, bandwidth_GBps});
    }
    t.seen[function] = true;
  }

  std::pair<double, double> cell(std::string_view function, std::size_t index, std::string_view text) const {
    const std::vector<std::string_view> parts = split(text, '/');
    std::array<double, 2> v{};
    bool ok = parts.size() == 2;
    for (std::size_t i = 0; ok && i < 2; ++i) {
      const std::optional<double> number = parse_finite_number(trim(parts[i]));
      ok = number.has_value();
      if (ok) v[i] = *number;
    }
    // NCCL prints one decimal: a bandwidth it computed below 0.05 GB/s reads 0.0 (not eligible), so a
    // smaller non-zero one did not come from NCCL (and would make a time overflow).
    if (!ok || v[0] < 0 || v[1] < 0 || (v[1] > 0 && v[1] < kNcclPrintRounding))
      fail(fmt::format("cell {} of the {} row is '{}', expected 'latency/bandwidth' as two numbers >= 0 (a bandwidth 0 or at "
                       "least 0.05), as NCCL prints them with '%8.1f/%6.1f'",
                       index + 1, function, trim(text)));
    return {v[0], v[1]};
  }

  // The "host:pid:tid [dev]" before "NCCL INFO" (a timestamp before them varies line by line).
  static std::string_view source(std::string_view before) {
    before = trim(before);
    if (before.empty()) return before;
    std::size_t cut = before.size();
    for (int tokens = 0; tokens < 2 && cut != std::string_view::npos && cut > 0; ++tokens) {
      cut = before.find_last_of(' ', cut - 1);
    }
    return cut == std::string_view::npos ? before : before.substr(cut + 1);
  }

  static std::vector<std::string> names(const std::vector<A>& algos) {
    std::vector<std::string> out;
    for (A a : algos) out.emplace_back(to_string(a));
    return out;
  }

  void close_table() {
    if (!*table_) return;
    Pending t = std::move(**table_);
    table_->reset();
    if (t.missing.empty() && !t.block_complete()) {
      std::vector<std::string> lacking;
      for (std::size_t f = 0; f < kFunctions.size(); ++f)
        if (!t.seen[f]) lacking.emplace_back(kFunctions[f]);
      t.missing = fmt::format("line {}: the {} of {} lacks {}", t.block_line, t.blocks ? "block" : "table",
                              fmt::join(names(t.block_algorithms), ", "),
                              t.columns.empty() ? std::string("its Protocol line") : fmt::format("the {} rows", fmt::join(lacking, ", ")));
    }
    // A block layout ends with NVLSTree (6 algorithms, 2.18-2.22) or PAT (7, from 2.23).
    if (t.missing.empty() && t.blocks && t.algorithms.back() != A::nvls_tree && t.algorithms.back() != A::pat)
      t.missing = fmt::format("line {}: the table's blocks end with {}, expected them to run to NVLSTree or PAT", t.line,
                              to_string(t.algorithms.back()));
    if (!t.missing.empty()) {
      incomplete_.emplace_back(t.line, t.missing);
      return;
    }
    NcclPrintedTable out;
    out.line = t.line;
    out.layout = !t.blocks ? NcclTuningLayout::single_line
                           : t.algorithms.size() == 6 ? NcclTuningLayout::half_blocks : NcclTuningLayout::blocks_of_three;
    out.algorithms = t.algorithms;
    for (auto& table : out.by_kind)
      for (auto& row : table)
        for (NcclCost& c : row) c.ineligible = "not in NCCL's printed table";
    for (const Pending::Cell& cell : t.cells) {
      NcclCost& c = out.by_kind[cell.kind][nccl_index(cell.algorithm)][nccl_index(cell.protocol)];
      c.latency_us = cell.latency_us;
      c.bandwidth_GBps = cell.bandwidth_GBps;
      c.ineligible = cell.bandwidth_GBps == 0 ? "NCCL printed bandwidth 0 (not eligible)" : "";
    }
    if (log_.tables.size() >= kMaxTables)
      fail(fmt::format("more than {} complete NCCL cost tables, expected one per communicator (a 16 MiB log of real tables "
                       "holds fewer than 8,000)",
                       kMaxTables));
    log_.tables.push_back(std::move(out));
  }

  NcclTuningLog log_;
  std::map<std::string, std::optional<Pending>> open_;  // by source: only sources that printed a header
  std::optional<Pending>* table_ = nullptr;           // the current line's source's
  std::optional<Pending> none_;                       // the slot of a source with no table (stays empty)
  std::vector<std::pair<int, std::string>> incomplete_;
  int line_ = 0;
};

}  // namespace

const char* to_string(NcclTuningLayout layout) {
  switch (layout) {
    case NcclTuningLayout::single_line: return "one line per function (NCCL 2.8-2.17)";
    case NcclTuningLayout::half_blocks: return "2 blocks of 3 algorithms (NCCL 2.18-2.22)";
    case NcclTuningLayout::blocks_of_three: return "blocks of 3 algorithms (NCCL 2.23 on)";
  }
  return "?";
}

NcclTuningLog parse_nccl_tuning_log(std::string_view text, const std::string& file) {
  Reader reader(file);
  int number = 0;
  for (std::size_t start = 0; start < text.size();) {
    const std::size_t end = text.find('\n', start);
    const std::string_view line = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    reader.line(++number, line);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return reader.finish();
}

NcclTuningLog read_nccl_tuning_log(const std::string& path) {
  return parse_nccl_tuning_log(read_input_text(path, "an NCCL log file"), path);
}

const NcclPrintedTable& nccl_tuning_table(const NcclTuningLog& log, int index) {
  if (log.tables.empty()) {
    // The first few incomplete tables say what was missing; the message stays one line.
    constexpr std::size_t kListed = 3;
    const std::size_t n = log.incomplete.size();
    const std::string why =
        n == 0 ? ""
               : fmt::format(" ({}{})", fmt::join(log.incomplete.begin(), log.incomplete.begin() + static_cast<std::ptrdiff_t>(std::min(n, kListed)), "; "),
                             n > kListed ? fmt::format("; and {} more incomplete tables", n - kListed) : "");
    throw InputError(fmt::format("{}: no complete NCCL cost table{}, expected the table rank 0 prints at init with "
                                 "NCCL_DEBUG=INFO NCCL_DEBUG_SUBSYS=TUNING (lines '... NCCL INFO  Max NThreads |' and "
                                 "'... NCCL INFO     AllReduce |    ...')",
                                 log.file, why));
  }
  if (index < 1 || index > static_cast<int>(log.tables.size())) {
    std::vector<int> lines;
    for (const NcclPrintedTable& t : log.tables) lines.push_back(t.line);
    const std::size_t n = log.tables.size();
    throw InputError(fmt::format("{}: table {} asked for, but the log holds {} complete NCCL cost table{} (on line{} {}), expected {}",
                                 log.file, index, n, n == 1 ? "" : "s", n == 1 ? "" : "s", fmt::join(lines, ", "),
                                 n == 1 ? std::string("1") : fmt::format("1 to {}", n)));
  }
  return log.tables[static_cast<std::size_t>(index - 1)];
}

}  // namespace shardsim
